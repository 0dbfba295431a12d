import { describe, expect, it } from 'vitest';
import { DomainError } from './domain/errors.js';
import { createRedactor } from './domain/redact.js';
import { createLogger, type Logger } from './logger.js';

const secret = 'duplo-portal-token-0123456789abcdef';

/** A logger writing to memory, redacting like the service does (configured secrets plus patterns). */
function memoryLogger(options: { redact?: boolean } = {}): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const redactor = createRedactor({ extraSecrets: [secret] });
  const logger = createLogger({
    level: 'info',
    ...(options.redact === false ? {} : { redactText: (text: string) => redactor.redact(text).text }),
    destination: { write: (line: string) => written.push(line) },
  });
  return {
    logger,
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const portalError = () =>
  new DomainError('portal.unauthorized', `Portal "acme": check token failed: token ${secret} refused`, {
    portal: 'acme',
    operation: 'checkToken',
    status: 401,
    echoed: `Bearer ${secret}`,
  });

describe('createLogger', () => {
  it('scans a short string the redactor left alone only once, and every other string each time', () => {
    const scanned: string[] = [];
    const redactor = createRedactor({ extraSecrets: [secret] });
    const written: string[] = [];
    const logger = createLogger({
      level: 'info',
      redactText: (text) => {
        scanned.push(text);
        return redactor.redact(text).text;
      },
      destination: { write: (line: string) => written.push(line) },
    });
    for (let index = 0; index < 3; index++) {
      logger.info({ outcome: 'ok', token: `t ${secret}` }, 'slack request handled');
      logger.info(`failed: ${secret}`);
    }
    expect(scanned.filter((text) => text === 'slack request handled')).toHaveLength(1);
    expect(scanned.filter((text) => text === 'ok')).toHaveLength(1);
    // A string with a secret in it is redacted every time, never remembered.
    expect(scanned.filter((text) => text === `failed: ${secret}`)).toHaveLength(3);
    expect(written.join('\n')).not.toContain(secret);
    expect(written.filter((line) => line.includes('failed: [REDACTED')).length).toBe(3);
  });

  it('logs a DomainError with its type, code and details, and its secrets redacted', () => {
    const { logger, lines } = memoryLogger();
    logger.error({ err: portalError() }, 'portal call failed');

    const [line] = lines();
    expect(line?.msg).toBe('portal call failed');
    expect(line?.err).toMatchObject({
      type: 'DomainError',
      code: 'portal.unauthorized',
      details: { portal: 'acme', operation: 'checkToken', status: 401 },
      message: expect.stringContaining('check token failed'),
      stack: expect.stringContaining('DomainError'),
    });
    expect(JSON.stringify(line)).not.toContain(secret);
    expect(JSON.stringify(line)).toContain('[REDACTED');
  });

  it('keeps the same shape under the `error` key and for errors nested in the object', () => {
    const { logger, lines } = memoryLogger();
    logger.warn({ error: portalError(), attempts: [portalError()] }, 'retrying');
    const [line] = lines();
    expect(line?.error).toMatchObject({ type: 'DomainError', code: 'portal.unauthorized' });
    expect(line?.attempts).toEqual([expect.objectContaining({ type: 'DomainError', code: 'portal.unauthorized' })]);
    expect(JSON.stringify(line)).not.toContain(secret);
  });

  it('redacts the message pino copies from an error logged without one', () => {
    const { logger, lines } = memoryLogger();
    logger.error(portalError());
    logger.error({ err: portalError() });
    for (const line of lines()) {
      expect(line.msg).toContain('check token failed');
      expect(line.err).toMatchObject({ type: 'DomainError', code: 'portal.unauthorized' });
      expect(JSON.stringify(line)).not.toContain(secret);
    }
    expect(lines()).toHaveLength(2);
  });

  it("keeps an error's data fields, folds its cause in, and leaves out class instances such as a request", () => {
    class ClientRequest {
      readonly path = `/admin?token=${secret}`;
    }
    const error = Object.assign(new Error('request failed', { cause: new Error(`socket hang up ${secret}`) }), {
      code: 'slack_webapi_request_error',
      statusCode: 502,
      data: { ok: false, error: 'fatal_error' },
      request: new ClientRequest(),
    });
    const { logger, lines } = memoryLogger();
    logger.error({ err: error }, 'Slack call failed');
    const [line] = lines();
    expect(line?.err).toMatchObject({
      type: 'Error',
      code: 'slack_webapi_request_error',
      statusCode: 502,
      data: { ok: false, error: 'fatal_error' },
      message: expect.stringContaining('socket hang up'),
    });
    expect(line?.err).not.toHaveProperty('request');
    expect(line?.err).not.toHaveProperty('cause');
    expect(JSON.stringify(line)).not.toContain(secret);
  });

  it('uses pino’s error shape when no text redactor is given', () => {
    const { logger, lines } = memoryLogger({ redact: false });
    logger.error({ err: portalError() }, 'failed');
    expect(lines()[0]?.err).toMatchObject({ type: 'DomainError', code: 'portal.unauthorized' });
  });
});
