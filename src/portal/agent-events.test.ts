import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { failure } from '../../test/support/portal-testing.js';
import { DomainError } from '../domain/errors.js';
import { type AgentEvent, emptyMessageData } from '../domain/messages.js';
import {
  eventsFromErrorBody,
  MaxStreamChars,
  parseAgentEvent,
  readEventStream,
  readText,
  replyFromEvents,
} from './agent-events.js';
import type { PortalCallContext } from './portal-errors.js';

/**
 * An agent's turn as events (docs/duplocloud-api.md §5): one event's JSON, a server-sent event stream read as it
 * arrives (§5.2), the error bodies of a streaming agent on a unary endpoint (§5.3), and the one reply they make
 * (§5.4). The stream reader takes any Readable, so chunks are cut exactly where a test wants them.
 */

const TOKEN = 'duplo-tok-SECRET-0123456789';
const context: PortalCallContext = { portal: 'acme', operation: 'sendMessage', secrets: [TOKEN] };

/** Text with characters of two, three and four UTF-8 bytes, so some byte cuts fall inside a character. */
const WORDS = 'Pods héalthy: 日本 🚀 done';

const wireEvents = [
  { type: 'intermittent_update', text: 'Thinking…', content: 'Thinking…' },
  { type: 'executed_commands', executed_cmds: [{ command: 'kubectl get pods', output: 'web-1 Running' }] },
  { type: 'text_delta', text: WORDS.slice(0, 12) },
  { type: 'text_delta', text: WORDS.slice(12) },
  { type: 'commands', commands: [{ command: 'kubectl rollout restart deploy/web', execute: false, uid: 'c-1' }] },
  { type: 'done', stop_reason: 'end_turn' },
];

const domainEvents: AgentEvent[] = [
  { type: 'intermittent_update', text: 'Thinking…' },
  { type: 'executed_commands', executed: [{ command: 'kubectl get pods', output: 'web-1 Running' }] },
  { type: 'text_delta', text: WORDS.slice(0, 12) },
  { type: 'text_delta', text: WORDS.slice(12) },
  { type: 'commands', commands: [{ command: 'kubectl rollout restart deploy/web', execute: false, uid: 'c-1' }] },
  { type: 'done', stopReason: 'end_turn' },
];

const reply = {
  role: 'assistant',
  content: WORDS,
  data: {
    ...emptyMessageData(),
    cmds: [{ command: 'kubectl rollout restart deploy/web', execute: false, uid: 'c-1' }],
    executed_cmds: [{ command: 'kubectl get pods', output: 'web-1 Running' }],
  },
};

const frame = (event: unknown, eventLine = false): string =>
  `${eventLine ? `event: ${(event as { type: string }).type}\n` : ''}data: ${JSON.stringify(event)}\n\n`;

/** The stream as the HelpDesk writes it: a keep-alive first and after the first event (like the fake portal). */
const sse = (events: readonly unknown[], eventLines = false): string =>
  `: keep-alive\n\n${events.map((event, index) => frame(event, eventLines) + (index === 0 ? ': keep-alive\n\n' : '')).join('')}`;

/** A byte stream of exactly these chunks. */
const bytes = (...chunks: (string | Buffer)[]): Readable =>
  Readable.from(
    chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)),
    { objectMode: false },
  );

const read = async (body: Readable, signal: AbortSignal = new AbortController().signal): Promise<AgentEvent[]> => {
  const events: AgentEvent[] = [];
  for await (const event of readEventStream(context, body, signal)) events.push(event);
  return events;
};

describe('parseAgentEvent (§5.1)', () => {
  it.each([
    [
      { type: 'text_delta', text: 'hi' },
      { type: 'text_delta', text: 'hi' },
    ],
    [
      { type: 'intermittent_update', text: null, content: 'x' },
      { type: 'intermittent_update', text: '' },
    ],
    [
      { type: 'commands', commands: [{ command: 'ls', execute: false, description: 'list', extra: 1 }] },
      { type: 'commands', commands: [{ command: 'ls', execute: false, description: 'list' }] },
    ],
    [
      { type: 'executed_commands', executed_cmds: [{ command: 'ls', output: null }] },
      { type: 'executed_commands', executed: [{ command: 'ls', output: '' }] },
    ],
    [
      { type: 'tool_calls', tool_calls: [{ name: 'search' }] },
      { type: 'tool_calls', items: [{ name: 'search' }] },
    ],
    [
      { type: 'approvals', approvals: null },
      { type: 'approvals', items: [] },
    ],
    [
      { type: 'executed_tool_calls', executed_tool_calls: [{ id: 't' }] },
      { type: 'executed_tool_calls', items: [{ id: 't' }] },
    ],
    [
      { type: 'executed_approvals', executed_approvals: [{ id: 'a' }] },
      { type: 'executed_approvals', items: [{ id: 'a' }] },
    ],
    [{ type: 'done' }, { type: 'done', stopReason: null }],
    [
      { type: 'done', stop_reason: 'end_turn', meta_data: { tokens: 3 } },
      { type: 'done', stopReason: 'end_turn' },
    ],
    [
      { type: 'error', error: 'agent crashed' },
      { type: 'error', error: 'agent crashed' },
    ],
    [
      { type: 'error', error: { code: 7 } },
      { type: 'error', error: '{"code":7}' },
    ],
  ])('%j → %j', (wire, expected) => {
    expect(parseAgentEvent(context, JSON.stringify(wire))).toEqual(expected);
  });

  it.each([
    ['an unknown type', '{"type":"usage","tokens":12}'],
    ['no type', '{"text":"hi"}'],
    ['not JSON', 'keep-alive'],
    ['a JSON string', '"text_delta"'],
    ['an array', '[{"type":"text_delta","text":"x"}]'],
  ])('skips %s', (_case, text) => {
    expect(parseAgentEvent(context, text)).toBeNull();
  });

  it.each([
    ['text_delta', '{"type":"text_delta","text":5}'],
    ['commands', '{"type":"commands","commands":[{"execute":false}]}'],
    ['executed_commands', '{"type":"executed_commands"}'],
    ['tool_calls', '{"type":"tool_calls","tool_calls":"search"}'],
  ])('fails a known type (%s) with a bad shape as portal.bad_response', (type, text) => {
    let thrown: unknown;
    try {
      parseAgentEvent(context, text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('portal.bad_response');
    expect((thrown as DomainError).message).toBe(`Portal "acme": a ${type} event could not be read`);
    expect((thrown as DomainError).details).toEqual({ portal: 'acme', operation: 'sendMessage', event: type });
  });
});

describe('replyFromEvents (§5.4)', () => {
  it('joins the text and gathers each list in order, ignoring what follows done', () => {
    const events: AgentEvent[] = [
      { type: 'text_delta', text: 'a' },
      { type: 'tool_calls', items: [{ id: 't1' }] },
      { type: 'commands', commands: [{ command: 'c1', execute: false }] },
      { type: 'intermittent_update', text: 'still thinking' },
      { type: 'text_delta', text: 'b' },
      { type: 'commands', commands: [{ command: 'c2', execute: false }] },
      { type: 'approvals', items: [{ id: 'p1' }] },
      { type: 'executed_tool_calls', items: [{ id: 't0' }] },
      { type: 'executed_approvals', items: [{ id: 'p0' }] },
      { type: 'done', stopReason: null },
      { type: 'text_delta', text: 'after done' },
    ];
    expect(replyFromEvents(context, events, { requireDone: true })).toEqual({
      role: 'assistant',
      content: 'ab',
      data: {
        ...emptyMessageData(),
        cmds: [
          { command: 'c1', execute: false },
          { command: 'c2', execute: false },
        ],
        tool_calls: [{ id: 't1' }],
        approvals: [{ id: 'p1' }],
        executed_tool_calls: [{ id: 't0' }],
        executed_approvals: [{ id: 'p0' }],
      },
    });
  });

  it('fails with agent.failed and the agent’s words, on one line, redacted and short', () => {
    const words = `kubectl failed:\n  token ${TOKEN} rejected ${'x'.repeat(300)}`;
    let thrown: unknown;
    try {
      replyFromEvents(
        context,
        [
          { type: 'text_delta', text: 'a' },
          { type: 'error', error: words },
        ],
        {
          requireDone: false,
        },
      );
    } catch (error) {
      thrown = error;
    }
    const error = thrown as DomainError;
    expect(error.code).toBe('agent.failed');
    expect(error.message).toMatch(
      /^Portal "acme": the agent reported an error: kubectl failed: token \[redacted\] rejected x+$/,
    );
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message.length).toBeLessThan(260);
  });

  it('fails a turn without done as portal.unavailable (STREAM_CUT) when done is required', () => {
    const cut: AgentEvent[] = [{ type: 'text_delta', text: 'half an ans' }];
    let thrown: unknown;
    try {
      replyFromEvents(context, cut, { requireDone: true });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as DomainError).code).toBe('portal.unavailable');
    expect((thrown as DomainError).details).toMatchObject({ errorCode: 'STREAM_CUT' });
    expect(replyFromEvents(context, cut, { requireDone: false }).content).toBe('half an ans');
  });
});

describe('readEventStream (§5.2)', () => {
  const whole = Buffer.from(sse(wireEvents));

  it('reads a whole stream into events, skipping the keep-alive comments; they make the reply', async () => {
    const events = await read(bytes(whole));
    expect(events).toEqual(domainEvents);
    expect(replyFromEvents(context, events, { requireDone: true })).toEqual(reply);
  });

  it('reads the same events whichever byte the stream is cut at (inside data:, inside a character)', async () => {
    // Every cut of the stream into two chunks: inside `data:`, inside the JSON, between \n and \n, and inside each
    // multi-byte UTF-8 character of the text.
    const cutsInsideCharacters: number[] = [];
    for (let at = 1; at < whole.length; at++) {
      // A continuation byte (10xxxxxx) starts the second chunk: the cut is inside a character.
      if (((whole[at] ?? 0) & 0xc0) === 0x80) cutsInsideCharacters.push(at);
      expect(await read(bytes(whole.subarray(0, at), whole.subarray(at))), `cut at byte ${at}`).toEqual(domainEvents);
    }
    // é (2 bytes), 日 and 本 (3), … (3, twice) and 🚀 (4): at least one cut inside each.
    expect(cutsInsideCharacters.length).toBeGreaterThanOrEqual(12);
    const dataAt = whole.indexOf('data:');
    expect(await read(bytes(whole.subarray(0, dataAt + 2), whole.subarray(dataAt + 2)))).toEqual(domainEvents);
  });

  it('reads a stream that arrives one byte at a time', async () => {
    const single = [...whole].map((byte) => Buffer.from([byte]));
    expect(await read(bytes(...single))).toEqual(domainEvents);
  });

  it('reads CRLF line ends, and lone CR', async () => {
    expect(await read(bytes(sse(wireEvents).replaceAll('\n', '\r\n')))).toEqual(domainEvents);
    expect(await read(bytes(sse(wireEvents).replaceAll('\n', '\r')))).toEqual(domainEvents);
  });

  it('reads event: lines before data: (duploctl mentions both), whatever they name', async () => {
    expect(await read(bytes(sse(wireEvents, true)))).toEqual(domainEvents);
    const misnamed = `event: message\n${frame({ type: 'text_delta', text: 'x' })}${frame({ type: 'done' })}`;
    expect(await read(bytes(misnamed))).toEqual([
      { type: 'text_delta', text: 'x' },
      { type: 'done', stopReason: null },
    ]);
  });

  it('joins an event split over several data: lines, and ignores id: and retry:', async () => {
    const text =
      'id: 1\nretry: 1000\ndata: {"type":"text_delta",\ndata: "text":"two lines"}\n\ndata: {"type":"done"}\n\n';
    expect(await read(bytes(text))).toEqual([
      { type: 'text_delta', text: 'two lines' },
      { type: 'done', stopReason: null },
    ]);
  });

  it('skips unknown event types and data that is not JSON', async () => {
    const text = [
      frame({ type: 'usage', tokens: 12 }),
      'data: [DONE]\n\n',
      frame({ type: 'text_delta', text: 'x' }),
      ': ping\n\n',
      frame({ type: 'done' }),
    ].join('');
    expect(await read(bytes(text))).toEqual([
      { type: 'text_delta', text: 'x' },
      { type: 'done', stopReason: null },
    ]);
  });

  it('fails a known event type with a bad shape as portal.bad_response, and stops reading', async () => {
    const body = bytes(frame({ type: 'text_delta', text: 'x' }), frame({ type: 'commands', commands: 'ls' }));
    const error = await failure(read(body));
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": a commands event could not be read');
    expect(body.destroyed).toBe(true);
  });

  it('stops at done: nothing after it is read or yielded, and the body is released', async () => {
    const body = bytes(
      frame({ type: 'text_delta', text: 'x' }) + frame({ type: 'done' }),
      frame({ type: 'text_delta', text: 'never' }),
    );
    expect(await read(body)).toEqual([
      { type: 'text_delta', text: 'x' },
      { type: 'done', stopReason: null },
    ]);
    expect(body.destroyed).toBe(true);
  });

  it('stops at an error event, which the reply turns into agent.failed', async () => {
    const body = bytes(
      sse([{ type: 'text_delta', text: 'x' }, { type: 'error', error: 'quota exceeded' }, { type: 'done' }]),
    );
    const events = await read(body);
    expect(events).toEqual([
      { type: 'text_delta', text: 'x' },
      { type: 'error', error: 'quota exceeded' },
    ]);
    let thrown: unknown;
    try {
      replyFromEvents(context, events, { requireDone: true });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as DomainError).code).toBe('agent.failed');
    expect((thrown as DomainError).message).toBe('Portal "acme": the agent reported an error: quota exceeded');
  });

  it('ends without done when the stream ends early; the reply then fails as STREAM_CUT', async () => {
    const events = await read(bytes(sse(wireEvents.slice(0, 3))));
    expect(events).toEqual(domainEvents.slice(0, 3));
    let thrown: unknown;
    try {
      replyFromEvents(context, events, { requireDone: true });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as DomainError).code).toBe('portal.unavailable');
    expect((thrown as DomainError).details).toMatchObject({ errorCode: 'STREAM_CUT' });
  });

  it('does not dispatch a last event whose blank line never came', async () => {
    const text = `${frame({ type: 'text_delta', text: 'x' })}data: {"type":"done"}\n`;
    expect(await read(bytes(text))).toEqual([{ type: 'text_delta', text: 'x' }]);
  });

  it('fails a dropped connection as portal.unavailable (STREAM_CUT)', async () => {
    const body = new Readable({ read() {} });
    body.push(frame({ type: 'text_delta', text: 'x' }));
    setTimeout(() => body.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 10);
    const error = await failure(read(body));
    expect(error.code).toBe('portal.unavailable');
    expect(error.message).toBe('Portal "acme": the agent\'s stream was cut');
    expect(error.details).toEqual({ portal: 'acme', operation: 'sendMessage', errorCode: 'STREAM_CUT' });
  });

  it('fails as portal.timeout when the time limit aborts the stream', async () => {
    const controller = new AbortController();
    const body = new Readable({ read() {} });
    body.push(frame({ type: 'text_delta', text: 'x' }));
    // What axios does when the request's signal fires: the response stream is destroyed with a cancellation.
    controller.signal.addEventListener('abort', () => body.destroy(new Error('canceled')));
    setTimeout(() => controller.abort(), 10);
    const error = await failure(read(body, controller.signal));
    expect(error.code).toBe('portal.timeout');
    expect(error.message).toBe('Portal "acme": the agent\'s stream took too long');
    expect(error.details).toMatchObject({ errorCode: 'ETIMEDOUT' });
  });

  it(`cuts off a stream longer than ${MaxStreamChars} characters as portal.bad_response`, async () => {
    const keepAlives = `: ${'k'.repeat(1024 * 1024 - 4)}\n\n`;
    let pulled = 0;
    const body = new Readable({
      read() {
        pulled++;
        this.push(pulled > 20 ? null : keepAlives);
      },
    });
    const error = await failure(read(body));
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": the agent\'s stream was too long');
    expect(pulled).toBeLessThan(12);
    expect(body.destroyed).toBe(true);
  });
});

describe('eventsFromErrorBody (§5.3)', () => {
  const events = [
    { type: 'intermittent_update', text: 'Thinking…', content: 'Thinking…' },
    { type: 'text_delta', text: 'Pods are ' },
    { type: 'text_delta', text: 'fine.' },
    { type: 'commands', commands: [{ command: 'kubectl get pods', execute: false }] },
    { type: 'done', stop_reason: 'end_turn' },
  ];
  const lines = events.map((event) => JSON.stringify(event));
  /** Gen A's 500 (CTL `_parse_streaming_error`): `"Error {event}\n{event}\n…"`, JSON-encoded. */
  const genA = JSON.stringify(`Error ${lines.join('\n')}`);
  /** Gen B's 400 (CTL 6d81101): the same, followed by ` in request call to Agent.`. */
  const genB = JSON.stringify(`Error ${lines.join('\n')} in request call to Agent.`);
  const recovered = {
    role: 'assistant',
    content: 'Pods are fine.',
    data: { ...emptyMessageData(), cmds: [{ command: 'kubectl get pods', execute: false }] },
  };

  it.each([
    ['Gen A 500', genA],
    ['Gen B 400', genB],
    ['CRLF lines', JSON.stringify(`Error ${lines.join('\r\n')} in request call to Agent.`)],
    ['the text itself, not JSON-encoded', `Error ${lines.join('\n')} in request call to Agent.`],
  ])('recovers the reply from %s', (_case, body) => {
    const found = eventsFromErrorBody(context, body);
    expect(found?.map((event) => event.type)).toEqual([
      'intermittent_update',
      'text_delta',
      'text_delta',
      'commands',
      'done',
    ]);
    expect(replyFromEvents(context, found ?? [], { requireDone: false })).toEqual(recovered);
  });

  it('keeps the first line whole after its Error prefix and the last before the trailing words', () => {
    const one = JSON.stringify(
      `Error ${JSON.stringify({ type: 'text_delta', text: 'only {braces} here' })} in request call to Agent.`,
    );
    expect(eventsFromErrorBody(context, one)).toEqual([{ type: 'text_delta', text: 'only {braces} here' }]);
  });

  it('recovers a reply that ends without done (the body is all the agent said)', () => {
    const cut = JSON.stringify(`Error ${lines.slice(0, 3).join('\n')} in request call to Agent.`);
    const found = eventsFromErrorBody(context, cut);
    expect(replyFromEvents(context, found ?? [], { requireDone: false }).content).toBe('Pods are fine.');
  });

  it("turns an error event into agent.failed with the agent's words", () => {
    const body = JSON.stringify(
      `Error ${JSON.stringify(events[0])}\n${JSON.stringify({ type: 'error', error: 'AWS credentials expired' })} in request call to Agent.`,
    );
    const found = eventsFromErrorBody(context, body);
    let thrown: unknown;
    try {
      replyFromEvents(context, found ?? [], { requireDone: false });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as DomainError).code).toBe('agent.failed');
    expect((thrown as DomainError).message).toContain('AWS credentials expired');
  });

  it.each([
    ['a JSON error object', '{"Message":"Internal error"}'],
    ["Gen B's error envelope", '{"success":false,"message":"Ticket not found"}'],
    ['a JSON string without events', '"Error calling agent: connection refused"'],
    ['a JSON string with braces that are not JSON', '"Error {agent} failed {badly}"'],
    ['only a thinking event', JSON.stringify(`Error ${JSON.stringify(events[0])} in request call to Agent.`)],
    ['only unknown events', JSON.stringify(`Error {"type":"usage","tokens":3}`)],
    ['plain text', 'Internal Server Error'],
    ['an empty body', ''],
  ])('leaves a real error an error: %s', (_case, body) => {
    expect(eventsFromErrorBody(context, body)).toBeNull();
  });

  it('fails a known event with a bad shape as portal.bad_response', () => {
    const body = JSON.stringify(`Error {"type":"text_delta","text":["x"]} in request call to Agent.`);
    expect(() => eventsFromErrorBody(context, body)).toThrow(DomainError);
  });
});

describe('readText', () => {
  it('reads a whole error body, multi-byte characters cut across chunks included', async () => {
    const text = JSON.stringify('Error 🚀 日本');
    const buffer = Buffer.from(text);
    expect(await readText(bytes(buffer.subarray(0, 9), buffer.subarray(9)))).toBe(text);
  });
});
