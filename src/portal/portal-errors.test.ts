import { AxiosError, AxiosHeaders } from 'axios';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from '../domain/errors.js';
import { codeForStatus, messageExcerpt, schemaError, statusError, toPortalError } from './portal-errors.js';

const context = { portal: 'acme', operation: 'createTicket', secrets: ['tok-SECRET'] };

const axiosFailure = (code: string, cause?: { code: string }): AxiosError => {
  const error = new AxiosError('boom', code, {
    headers: new AxiosHeaders({ Authorization: 'Bearer tok-SECRET' }),
  });
  if (cause) error.cause = Object.assign(new Error('socket'), cause);
  return error;
};

describe('codeForStatus', () => {
  it.each([
    [401, '', 'portal.unauthorized'],
    [403, '{"Message":"Forbidden"}', 'portal.forbidden'],
    [404, '', 'portal.not_found'],
    [400, '{"Message":"Tenant not found"}', 'portal.not_found'],
    [400, 'User NOT FOUND', 'portal.not_found'],
    [400, '{"Message":"bad title"}', 'portal.rejected'],
    [409, '', 'portal.rejected'],
    [422, '', 'portal.rejected'],
    [429, '', 'portal.rejected'],
    [500, '', 'portal.unavailable'],
    [503, '', 'portal.unavailable'],
    [302, '', 'portal.bad_response'],
  ])('HTTP %i %j → %s', (status, body, code) => {
    expect(codeForStatus(status, body)).toBe(code);
  });
});

describe('statusError', () => {
  it('names the portal and operation, with status details', () => {
    const error = statusError(context, 500, 'Internal Server Error with a stack trace');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.message).toBe('Portal "acme": create ticket failed: HTTP 500');
    expect(error.details).toEqual({ portal: 'acme', operation: 'createTicket', status: 500 });
  });

  it('adds a short single-line excerpt of Message, and redacts a token the portal echoes', () => {
    const long = `line one\nline two tok-SECRET ${'x'.repeat(400)}`;
    const error = statusError(context, 422, JSON.stringify({ Message: long, StackTrace: 'secret internals' }));
    expect(error.code).toBe('portal.rejected');
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain('tok-SECRET');
    expect(error.message).not.toContain('internals');
    expect(error.message).toMatch(
      /^Portal "acme": create ticket failed: HTTP 422 \(line one line two \[redacted\] x+…\)$/,
    );
    const excerpt = messageExcerpt(JSON.stringify({ Message: long }));
    expect(excerpt?.length).toBe(200);
  });

  it('redacts before cutting, so no part of a token survives at the 200-character edge', () => {
    const body = JSON.stringify({ Message: `${'y'.repeat(185)}tok-SECRET and more` });
    const error = statusError(context, 400, body);
    expect(error.message).not.toContain('tok-S');
    expect(error.message).toContain('[redacted]');
    expect(statusError(context, 400, body.replace('y'.repeat(185), 'y'.repeat(195))).message).not.toContain('tok-');
  });

  it('never quotes a plain-text body', () => {
    expect(statusError(context, 401, 'Unauthorized: token tok-SECRET').message).toBe(
      'Portal "acme": create ticket failed: HTTP 401',
    );
  });
});

describe('toPortalError', () => {
  it.each([
    ['ECONNREFUSED', undefined, 'portal.unavailable'],
    ['ECONNRESET', undefined, 'portal.unavailable'],
    ['ERR_NETWORK', undefined, 'portal.unavailable'],
    ['ERR_BAD_REQUEST', { code: 'ENOTFOUND' }, 'portal.unavailable'],
    ['ETIMEDOUT', undefined, 'portal.timeout'],
    ['ECONNABORTED', undefined, 'portal.timeout'],
    ['ERR_SOMETHING', undefined, 'portal.unknown'],
  ])('axios %s (cause %j) → %s', (code, cause, expected) => {
    const error = toPortalError(axiosFailure(code, cause), context);
    expect(error.code).toBe(expected);
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('tok-SECRET');
  });

  it('maps an axios error with a response by its status', () => {
    const error = axiosFailure('ERR_BAD_RESPONSE');
    error.response = {
      status: 503,
      statusText: 'x',
      data: '{"Message":"down"}',
      headers: {},
      config: { headers: new AxiosHeaders() },
    };
    const mapped = toPortalError(error, context);
    expect(mapped.code).toBe('portal.unavailable');
    expect(mapped.message).toBe('Portal "acme": create ticket failed: HTTP 503 (down)');
  });

  it('passes DomainErrors through and wraps anything else as portal.unknown', () => {
    const domain = new DomainError('portal.forbidden', 'x');
    expect(toPortalError(domain, context)).toBe(domain);
    expect(toPortalError(new TypeError('oops'), context).code).toBe('portal.unknown');
  });

  it('turns a zod failure into bad_response naming the path, not the value', () => {
    const parsed = z.object({ items: z.array(z.object({ name: z.string() })) }).safeParse({ items: [{ name: 7 }] });
    if (parsed.success) throw new Error('expected a failure');
    const error = schemaError({ portal: 'acme', operation: 'listAgents' }, parsed.error, 200);
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": list agents failed: unexpected response (items.0.name: invalid_type)');
    expect(error.details).toEqual({ portal: 'acme', operation: 'listAgents', status: 200 });
  });
});
