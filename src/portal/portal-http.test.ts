import { createServer } from 'node:net';
import nock from 'nock';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { blockNetworkButLoopback, expectNoSecret, failure, portalConfig } from '../../test/support/portal-testing.js';
import type { PortalConfig } from '../config.js';
import { DomainError } from '../domain/errors.js';
import { runWithCorrelation } from '../observability/correlation.js';
import type { PortalCallContext } from './portal-errors.js';
import { createPortalHttp, type PortalCallObservation, type PortalHttpOptions } from './portal-http.js';

/**
 * The HTTP plumbing both HelpDesk adapters share (docs/duplocloud-api.md §1): the bearer token, retries of GETs only,
 * timeouts, coded errors, the correlation header and one observation per operation. Pure HTTP, so nock answers.
 */

const HOST = 'https://acme.duplo.test';
const TOKEN = 'duplo-tok-SECRET-0123456789';
const config: PortalConfig = portalConfig({ name: 'acme', host: HOST, token: TOKEN });
const PATH = '/v1/aiservicedesk/tickets/3f6d2c1a/dev-1';

const Ticket = z.object({ name: z.string().min(1), title: z.string() });
const ticket = { name: 'dev-1', title: 'Pods', extra: true };

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

function setup(options: PortalHttpOptions = {}, portal: PortalConfig = config) {
  const sleeps: number[] = [];
  const observed: PortalCallObservation[] = [];
  const http = createPortalHttp(portal, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    observe: (call) => observed.push(call),
    ...options,
  });
  /** One operation named `getTicket` (the words of its messages: "get ticket"). */
  const run = <T>(body: (context: PortalCallContext) => Promise<T>) => http.operation('getTicket', body);
  return { http, run, sleeps, observed };
}

/** A nock reply that records what the client sent. */
const recordInto = (seen: SeenRequest[], status: number, reply: unknown = '') =>
  function (this: nock.ReplyFnContext, uri: string, body: nock.Body): [number, string | object] {
    seen.push({
      method: this.req.method,
      path: uri,
      headers: this.req.headers,
      body: typeof body === 'string' && body !== '' ? JSON.parse(body) : body,
    });
    return [status, typeof reply === 'string' ? reply : (reply as object)];
  };

const portal = () => nock(HOST);

blockNetworkButLoopback();

describe('requests', () => {
  it('sends the bearer token and JSON headers, and parses the reply with the schema', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get(PATH)
      .reply(recordInto(seen, 200, ticket));
    const { run, http, observed } = setup();
    await expect(run((context) => http.get(context, PATH, Ticket))).resolves.toEqual({ name: 'dev-1', title: 'Pods' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('GET');
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]?.headers.accept).toContain('application/json');
    expect(observed).toEqual([{ portal: 'acme', operation: 'getTicket', outcome: 'ok', seconds: expect.any(Number) }]);
  });

  it('POSTs a JSON body and PUTs without one', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .post('/v1/aiservicedesk/tickets/t1', { title: 'x' })
      .reply(recordInto(seen, 200, { name: 'n', title: 'x' }));
    portal().put('/v1/aiservicedesk/tickets/t1/n/contextUpdated').reply(recordInto(seen, 204));
    const { run, http } = setup();
    await run(async (context) => {
      await http.call(context, { method: 'POST', path: '/v1/aiservicedesk/tickets/t1', body: { title: 'x' } }, Ticket);
      await http.exchange(context, { method: 'PUT', path: '/v1/aiservicedesk/tickets/t1/n/contextUpdated' });
    });
    expect(seen.map((request) => [request.method, request.body])).toEqual([
      ['POST', { title: 'x' }],
      ['PUT', ''],
    ]);
    expect(seen[0]?.headers['content-type']).toContain('application/json');
  });

  it('lets a request override a header (Accept for a stream)', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .post('/s')
      .reply(recordInto(seen, 200, 'data: {}\n\n'));
    const { run, http } = setup();
    const answer = await run((context) =>
      http.stream(context, {
        method: 'POST',
        path: '/s',
        body: { content: 'hi' },
        headers: { Accept: 'text/event-stream' },
        signal: AbortSignal.timeout(5_000),
      }),
    );
    answer.body.destroy();
    expect(answer.status).toBe(200);
    expect(seen[0]?.headers.accept).toBe('text/event-stream');
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('answer() hands back any status with its body; exchange() fails on a non-2xx', async () => {
    portal().get('/probe').twice().reply(404, { Message: 'Resource not found' });
    const { run, http, sleeps } = setup();
    await expect(run((context) => http.answer(context, { method: 'GET', path: '/probe' }))).resolves.toEqual({
      status: 404,
      body: '{"Message":"Resource not found"}',
    });
    const error = await failure(run((context) => http.exchange(context, { method: 'GET', path: '/probe' })));
    expect(error.code).toBe('portal.not_found');
    expect(sleeps).toEqual([]);
  });

  it('does not follow a redirect (a login page): a 3xx is a bad response', async () => {
    portal().get(PATH).reply(302, '', { Location: 'https://login.acme.test/' });
    const { run, http } = setup();
    const error = await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": get ticket failed: HTTP 302');
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('retries', () => {
  it('retries a GET that answered 500 twice, with growing jittered delays, then fails as portal.unavailable', async () => {
    let attempts = 0;
    portal()
      .get(PATH)
      .times(3)
      .reply(() => {
        attempts++;
        return [500, { Message: 'boom' }];
      });
    portal().get(PATH).reply(200, ticket);
    const { run, http, sleeps, observed } = setup();

    const error = await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(error.code).toBe('portal.unavailable');
    expect(error.message).toBe('Portal "acme": get ticket failed: HTTP 500 (boom)');
    expect(error.details).toEqual({ portal: 'acme', operation: 'getTicket', status: 500 });
    expect(attempts).toBe(3);
    expect(sleeps).toEqual([150, 300]); // base 200 then 400, each half fixed and half jitter (random 0.5)
    expect(nock.pendingMocks()).toHaveLength(1);
    expect(observed).toEqual([
      { portal: 'acme', operation: 'getTicket', outcome: 'portal.unavailable', seconds: expect.any(Number) },
    ]);
  });

  it.each([
    [0, [100, 200]],
    [0.5, [150, 300]],
    [0.999, [200, 400]],
  ])('jitter %d spreads each delay between half and all of its step', async (random, delays) => {
    portal().get(PATH).times(3).reply(503, '');
    const { run, http, sleeps } = setup({ random: () => random });
    await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(sleeps).toEqual(delays);
  });

  it('succeeds when a retry finds the portal back', async () => {
    portal().get(PATH).reply(503, 'Service Unavailable');
    portal().get(PATH).reply(200, ticket);
    const { run, http, sleeps, observed } = setup({ retryBaseDelayMs: 1000, random: () => 0 });
    await expect(run((context) => http.get(context, PATH, Ticket))).resolves.toMatchObject({ name: 'dev-1' });
    expect(sleeps).toEqual([500]);
    expect(observed.map((call) => call.outcome)).toEqual(['ok']);
  });

  it('honours getRetries: 0', async () => {
    portal().get(PATH).reply(502, '');
    portal().get(PATH).reply(200, ticket);
    const { run, http, sleeps } = setup({ getRetries: 0 });
    expect((await failure(run((context) => http.get(context, PATH, Ticket)))).code).toBe('portal.unavailable');
    expect(sleeps).toEqual([]);
  });

  it.each([
    [401, 'portal.unauthorized'],
    [403, 'portal.forbidden'],
    [404, 'portal.not_found'],
    [409, 'portal.rejected'],
  ])('never retries a GET that answered %i', async (status, code) => {
    portal().get(PATH).reply(status, '');
    portal().get(PATH).reply(200, ticket);
    const { run, http, sleeps } = setup();
    expect((await failure(run((context) => http.get(context, PATH, Ticket)))).code).toBe(code);
    expect(sleeps).toEqual([]);
    expect(nock.pendingMocks()).toHaveLength(1);
  });

  it.each(['POST', 'PUT'] as const)(
    'never retries a %s, whatever failed: the portal may have acted',
    async (method) => {
      portal().intercept('/w', method).reply(500, { Message: 'Internal error' });
      portal().intercept('/w', method).delay(300).reply(200, ticket);
      portal().intercept('/w', method).reply(200, ticket);
      const { run, http, sleeps, observed } = setup();
      const first = await failure(run((context) => http.exchange(context, { method, path: '/w', body: {} })));
      expect(first.code).toBe('portal.unavailable');
      expect(first.message).toBe('Portal "acme": get ticket failed: HTTP 500 (Internal error)');
      // Only this one gets 30 ms: a busy machine may take longer than that to answer the first.
      const quick = setup({ timeoutMs: 30 });
      const second = await failure(
        quick.run((context) => quick.http.exchange(context, { method, path: '/w', body: {} })),
      );
      expect(second.code).toBe('portal.timeout');
      expect([...sleeps, ...quick.sleeps]).toEqual([]);
      expect(nock.pendingMocks()).toHaveLength(1);
      expect([...observed, ...quick.observed].map((call) => call.outcome)).toEqual([
        'portal.unavailable',
        'portal.timeout',
      ]);
    },
  );

  it('sends the correlation id on every attempt', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get(PATH)
      .reply(recordInto(seen, 503, 'busy'));
    portal()
      .get(PATH)
      .reply(recordInto(seen, 200, ticket));
    const { run, http, observed } = setup();
    await runWithCorrelation('Ev0CORRELATE', () => run((context) => http.get(context, PATH, Ticket)));
    expect(seen.map((request) => request.headers['x-correlation-id'])).toEqual(['Ev0CORRELATE', 'Ev0CORRELATE']);
    expect(seen[1]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(observed).toEqual([expect.objectContaining({ operation: 'getTicket', correlationId: 'Ev0CORRELATE' })]);
  });

  it('sends no correlation header outside a Slack request (readiness probes, start-up)', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get(PATH)
      .reply(recordInto(seen, 200, ticket));
    const { run, http, observed } = setup();
    await run((context) => http.get(context, PATH, Ticket));
    expect(seen[0]?.headers).not.toHaveProperty('x-correlation-id');
    expect(observed[0]).not.toHaveProperty('correlationId');
  });
});

describe('timeouts', () => {
  it('times out a slow GET, retries it, then fails as portal.timeout', async () => {
    let attempts = 0;
    portal()
      .get(PATH)
      .times(2)
      .delay(300)
      .reply(() => {
        attempts++;
        return [200, ticket];
      });
    const { run, http, sleeps, observed } = setup({ timeoutMs: 30, getRetries: 1 });
    const error = await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(error.code).toBe('portal.timeout');
    expect(error.message).toBe('Portal "acme": get ticket failed: no answer in time');
    expect(error.details).toMatchObject({ errorCode: 'ETIMEDOUT' });
    expect(sleeps).toHaveLength(1);
    expect(attempts).toBe(2);
    expect(observed[0]?.outcome).toBe('portal.timeout');
  });

  it("gives a request its own time limit (an agent's) instead of the quick one", async () => {
    portal().post('/agent').delay(100).reply(200, ticket);
    const { run, http } = setup({ timeoutMs: 10, agentTimeoutMs: 2_000 });
    await expect(
      run((context) => http.call(context, { method: 'POST', path: '/agent', timeoutMs: http.agentTimeoutMs }, Ticket)),
    ).resolves.toMatchObject({ name: 'dev-1' });
    expect(http.agentTimeoutMs).toBe(2_000);

    portal().post('/agent').delay(300).reply(200, ticket);
    const slow = setup({ agentTimeoutMs: 30 });
    const error = await failure(
      slow.run((context) =>
        slow.http.call(context, { method: 'POST', path: '/agent', timeoutMs: slow.http.agentTimeoutMs }, Ticket),
      ),
    );
    expect(error.code).toBe('portal.timeout');
    expect(slow.sleeps).toEqual([]);
  });

  it('defaults to 10 s for quick calls and 120 s for an agent', () => {
    expect(createPortalHttp(config).agentTimeoutMs).toBe(120_000);
  });

  it('fails a stream whose time limit runs out before its headers as portal.timeout', async () => {
    portal().post('/stream').delay(500).reply(200, 'data: {}\n\n');
    const { run, http, observed } = setup();
    const error = await failure(
      run((context) =>
        http.stream(context, { method: 'POST', path: '/stream', body: {}, signal: AbortSignal.timeout(30) }),
      ),
    );
    expect(error.code).toBe('portal.timeout');
    expect(error.message).toBe('Portal "acme": get ticket failed: no answer in time');
    expect(observed.map((call) => call.outcome)).toEqual(['portal.timeout']);
  });

  it('hands back the status and body of a stream that failed, without reading or retrying it', async () => {
    portal().post('/stream').reply(400, '"Error {} in request call to Agent."');
    portal().post('/stream').reply(200, 'data: {}\n\n');
    const { run, http } = setup();
    const answer = await run((context) =>
      http.stream(context, { method: 'POST', path: '/stream', body: {}, signal: AbortSignal.timeout(5_000) }),
    );
    expect(answer.status).toBe(400);
    answer.body.destroy();
    expect(nock.pendingMocks()).toHaveLength(1);
  });
});

describe('bodies', () => {
  it('maps malformed JSON to portal.bad_response without retrying or quoting it', async () => {
    portal().get(PATH).reply(200, '{"name": "dev-1", "title": ', { 'Content-Type': 'application/json' });
    const { run, http, sleeps } = setup();
    const error = await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": get ticket failed: unexpected response (not JSON)');
    expect(error.details).toEqual({ portal: 'acme', operation: 'getTicket', status: 200 });
    expect(sleeps).toEqual([]);
  });

  it('says so for an empty body', async () => {
    portal().get(PATH).reply(200, '');
    const { run, http } = setup();
    const error = await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(error.message).toBe('Portal "acme": get ticket failed: unexpected response (empty body)');
  });

  it('maps a schema-invalid body to portal.bad_response naming the field, not its value', async () => {
    portal().get(PATH).reply(200, { name: 42, title: 'dev-secret-name' });
    const { run, http } = setup();
    const error = await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": get ticket failed: unexpected response (name: invalid_type)');
    expect(error.message).not.toContain('dev-secret-name');
  });

  it('maps an HTML login page (2xx, not JSON) to portal.bad_response', async () => {
    portal().get(PATH).reply(200, '<html>login</html>', { 'Content-Type': 'text/html' });
    const { run, http } = setup();
    expect((await failure(run((context) => http.get(context, PATH, Ticket)))).code).toBe('portal.bad_response');
  });

  it('maps a legacy 400 "not found" to portal.not_found and other 4xx to portal.rejected', async () => {
    portal().get(PATH).reply(400, 'Tenant 1111 not found');
    portal().post('/w').reply(422, { Message: 'Agent k8s-agent is not allowed in tenant dev' });
    const { run, http } = setup();
    const missing = await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(missing.code).toBe('portal.not_found');
    expect(missing.message).toBe('Portal "acme": get ticket failed: HTTP 400');
    const refused = await failure(run((context) => http.exchange(context, { method: 'POST', path: '/w', body: {} })));
    expect(refused.code).toBe('portal.rejected');
    expect(refused.message).toBe(
      'Portal "acme": get ticket failed: HTTP 422 (Agent k8s-agent is not allowed in tenant dev)',
    );
  });

  it("reads Gen B's {success:false, message} like Message", async () => {
    portal().get(PATH).reply(403, { success: false, message: 'Workspace access denied' });
    const { run, http } = setup();
    const error = await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(error.code).toBe('portal.forbidden');
    expect(error.message).toBe('Portal "acme": get ticket failed: HTTP 403 (Workspace access denied)');
  });
});

describe('operations', () => {
  it('observes one operation once, however many requests and retries it made', async () => {
    portal().get('/a').reply(503, '');
    portal().get('/a').reply(200, ticket);
    portal().get('/b').reply(200, ticket);
    const { http, observed, sleeps } = setup();
    await http.operation('userSpaces', async (context) => {
      await http.get(context, '/a', Ticket);
      await http.get(context, '/b', Ticket);
    });
    expect(sleeps).toHaveLength(1);
    expect(observed).toEqual([{ portal: 'acme', operation: 'userSpaces', outcome: 'ok', seconds: expect.any(Number) }]);
  });

  it('turns anything an operation throws into a portal error, and observes its code', async () => {
    const { http, observed } = setup();
    const error = await failure(
      http.operation('listAgents', async () => {
        throw new Error('a bug');
      }),
    );
    expect(error.code).toBe('portal.unknown');
    expect(error.message).toBe('Portal "acme": list agents failed: request failed');
    const kept = new DomainError('agent.failed', 'the agent said no');
    expect(
      await failure(
        http.operation('sendMessage', async () => {
          throw kept;
        }),
      ),
    ).toBe(kept);
    expect(observed.map((call) => [call.operation, call.outcome])).toEqual([
      ['listAgents', 'portal.unknown'],
      ['sendMessage', 'agent.failed'],
    ]);
  });
});

describe('a portal that refuses connections', () => {
  let closedPort = 0;

  beforeAll(async () => {
    // Bind an ephemeral loopback port, then free it: connecting to it is refused.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    closedPort = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  const closed = () => ({ ...config, host: `http://127.0.0.1:${closedPort}` });

  it('is portal.unavailable after the GET retries', async () => {
    const { run, http, sleeps, observed } = setup({}, closed());
    const error = await failure(run((context) => http.get(context, PATH, Ticket)));
    expect(error.code).toBe('portal.unavailable');
    expect(error.message).toBe('Portal "acme": get ticket failed: cannot reach the portal (ECONNREFUSED)');
    expect(error.details).toMatchObject({ portal: 'acme', operation: 'getTicket', errorCode: 'ECONNREFUSED' });
    expect(sleeps).toHaveLength(2);
    expect(observed[0]?.outcome).toBe('portal.unavailable');
    expectNoSecret(TOKEN, error, observed);
  });

  it('is portal.unavailable at once for a POST', async () => {
    const { run, http, sleeps } = setup({}, closed());
    const error = await failure(run((context) => http.exchange(context, { method: 'POST', path: PATH, body: {} })));
    expect(error.code).toBe('portal.unavailable');
    expect(sleeps).toEqual([]);
  });

  it('is portal.unavailable for a stream', async () => {
    const { run, http } = setup({}, closed());
    const error = await failure(
      run((context) =>
        http.stream(context, { method: 'POST', path: PATH, body: {}, signal: AbortSignal.timeout(5_000) }),
      ),
    );
    expect(error.code).toBe('portal.unavailable');
  });
});

describe('the token', () => {
  it('appears in no error message, detail or observation, even when the portal echoes it', async () => {
    const echo = { Message: `Token ${TOKEN} is not valid for this action` };
    portal().get('/1').reply(401, `Unauthorized ${TOKEN}`);
    portal().get('/2').reply(403, echo);
    portal().get('/3').times(3).reply(500, echo);
    portal().get('/4').reply(400, echo);
    portal().post('/5').reply(422, echo);
    portal().post('/6').reply(200, `not json ${TOKEN}`);
    portal().get('/7').reply(200, { name: TOKEN, title: 5 });
    portal().put('/8').reply(409, echo);
    const { http, observed } = setup();
    const op = (run: (context: PortalCallContext) => Promise<unknown>) => failure(http.operation('createTicket', run));

    const errors = await Promise.all([
      op((context) => http.get(context, '/1', Ticket)),
      op((context) => http.get(context, '/2', Ticket)),
      op((context) => http.get(context, '/3', Ticket)),
      op((context) => http.get(context, '/4', Ticket)),
      op((context) => http.call(context, { method: 'POST', path: '/5', body: {} }, Ticket)),
      op((context) => http.call(context, { method: 'POST', path: '/6', body: {} }, Ticket)),
      op((context) => http.get(context, '/7', Ticket)),
      op((context) => http.exchange(context, { method: 'PUT', path: '/8', body: {} })),
    ]);
    expect(errors.map((error) => error.code)).toEqual([
      'portal.unauthorized',
      'portal.forbidden',
      'portal.unavailable',
      'portal.rejected',
      'portal.rejected',
      'portal.bad_response',
      'portal.bad_response',
      'portal.rejected',
    ]);
    expect(observed).toHaveLength(8);
    expect(errors[1]?.message).toContain('[redacted]');
    for (const error of errors) {
      expectNoSecret(TOKEN, error, error.details);
      expect(error.cause).toBeUndefined();
    }
    expectNoSecret(TOKEN, observed);
  });
});

describe('well-formed bodies', () => {
  it('sends a lone surrogate in a body as U+FFFD, on a call and on a stream', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .post('/m')
      .reply(recordInto(seen, 200, { name: 'n', title: 'x' }));
    portal()
      .post('/s')
      .reply(recordInto(seen, 200, 'data: {}\n\n'));
    const { run, http } = setup();
    const body = { content: 'bad \ud800 text', data: { cmds: [{ command: 'echo \udc00' }] } };
    await run(async (context) => {
      await http.call(context, { method: 'POST', path: '/m', body }, Ticket);
      const answer = await http.stream(context, {
        method: 'POST',
        path: '/s',
        body,
        signal: AbortSignal.timeout(5_000),
      });
      answer.body.resume();
    });
    const wellFormed = { content: 'bad \ufffd text', data: { cmds: [{ command: 'echo \ufffd' }] } };
    expect(seen.map((request) => request.body)).toEqual([wellFormed, wellFormed]);
    expect(body.content).toBe('bad \ud800 text');
  });
});
