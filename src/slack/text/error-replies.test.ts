import { describe, expect, it } from 'vitest';
import { DomainError, ErrorCodes } from '../../domain/errors.js';
import { replyFor } from './error-replies.js';

const portalError = (code: ConstructorParameters<typeof DomainError>[0], details: Record<string, string | number>) =>
  new DomainError(code, 'Portal "acme": failed', { portal: 'acme', ...details });

describe('replyFor', () => {
  it('has words for every code, and hides anything that is not a coded error', () => {
    for (const code of ErrorCodes)
      expect(replyFor(new DomainError(code, 'internal detail')).length).toBeGreaterThan(10);
    expect(replyFor(new Error('TypeError at line 3'))).toBe('Something failed on our side; it is logged.');
  });

  it('says nothing changed when the portal refused the call or it never left', () => {
    for (const error of [
      portalError('portal.rejected', { operation: 'createTicket', status: 400 }),
      portalError('portal.unavailable', { operation: 'createTicket', errorCode: 'ECONNREFUSED' }),
      portalError('portal.timeout', { operation: 'userAccess', errorCode: 'ETIMEDOUT' }),
    ]) {
      expect(replyFor(error)).toMatch(/Nothing was changed/);
    }
  });

  it.each([
    ['a timeout', portalError('portal.timeout', { operation: 'createTicket', errorCode: 'ECONNABORTED' })],
    ['a 5xx', portalError('portal.unavailable', { operation: 'createTicket', status: 502 })],
    ['a dropped connection', portalError('portal.unavailable', { operation: 'createTicket', errorCode: 'ECONNRESET' })],
    ['an unreadable answer', portalError('portal.bad_response', { operation: 'createTicket', status: 200 })],
  ])('after %s creating a ticket, says it may exist and where to look', (_what, error) => {
    const words = replyFor(error);
    expect(words).not.toMatch(/Nothing was changed/);
    expect(words).toMatch(/may have been created anyway: look in the AI HelpDesk before you try again/);
  });

  it('after a timeout sending a message, says it may have reached the agent', () => {
    const words = replyFor(portalError('portal.timeout', { operation: 'sendMessage', errorCode: 'ETIMEDOUT' }));
    expect(words).toBe(
      'The DuploCloud portal took too long to answer. Your message may have reached the agent anyway: look at the ' +
        'ticket in the AI HelpDesk before you send it again.',
    );
  });
});
