import { describe, expect, it } from 'vitest';
import { assembleEvents, eventsError, replyEvents, streamingErrorText } from './agent-events.js';
import { fullWireData } from './scripted-agent.js';

/** Agent replies as events, docs/duplocloud-api.md §5. */

describe('replyEvents', () => {
  it('orders thinking, executed work, text, proposals, done; no event for an empty array', () => {
    const data = fullWireData({
      cmds: [{ command: 'b', execute: false }],
      executed_cmds: [{ command: 'a', output: 'ok' }],
      tool_calls: [{ id: 't1' }],
      executed_tool_calls: [{ id: 't0' }],
      approvals: [{ id: 'p1' }],
      executed_approvals: [{ id: 'p0' }],
      url_configs: [{ url: 'https://x' }],
    });
    const events = replyEvents({ role: 'assistant', content: 'abcdef', data }, 4);
    expect(events).toEqual([
      { type: 'intermittent_update', text: 'Thinking…', content: 'Thinking…' },
      { type: 'executed_commands', executed_cmds: [{ command: 'a', output: 'ok' }] },
      { type: 'executed_tool_calls', executed_tool_calls: [{ id: 't0' }] },
      { type: 'executed_approvals', executed_approvals: [{ id: 'p0' }] },
      { type: 'text_delta', text: 'abcd' },
      { type: 'text_delta', text: 'ef' },
      { type: 'commands', commands: [{ command: 'b', execute: false }] },
      { type: 'tool_calls', tool_calls: [{ id: 't1' }] },
      { type: 'approvals', approvals: [{ id: 'p1' }] },
      { type: 'done', stop_reason: 'end_turn' },
    ]);
    expect(replyEvents({ role: 'assistant', content: '', data: fullWireData() }).map((event) => event.type)).toEqual([
      'intermittent_update',
      'done',
    ]);
  });

  it('never splits a character made of two UTF-16 units', () => {
    const events = replyEvents({ role: 'assistant', content: '🚀🚀🚀', data: fullWireData() }, 1);
    expect(events.filter((event) => event.type === 'text_delta').map((event) => event.text)).toEqual([
      '🚀',
      '🚀',
      '🚀',
    ]);
  });
});

describe('assembleEvents (§5.4)', () => {
  it('joins text_deltas and gathers each array in order, skipping unknown types', () => {
    expect(
      assembleEvents([
        { type: 'text_delta', text: 'a' },
        { type: 'mystery', text: 'x' },
        { type: 'commands', commands: [{ command: 'c1', execute: false }] },
        { type: 'text_delta', text: 'b' },
        { type: 'commands', commands: [{ command: 'c2', execute: false }] },
        { type: 'executed_commands', executed_cmds: [{ command: 'c0', output: 'o' }] },
        { type: 'done' },
      ]),
    ).toEqual({
      role: 'assistant',
      content: 'ab',
      data: fullWireData({
        cmds: [
          { command: 'c1', execute: false },
          { command: 'c2', execute: false },
        ],
        executed_cmds: [{ command: 'c0', output: 'o' }],
      }),
    });
  });

  it('round-trips a reply through its events, but for url_configs, which have no event', () => {
    const data = fullWireData({ cmds: [{ command: 'x', execute: false }], url_configs: [{ url: 'https://x' }] });
    const assembled = assembleEvents(replyEvents({ role: 'assistant', content: 'hello world', data }, 3));
    expect(assembled).toEqual({ role: 'assistant', content: 'hello world', data: { ...data, url_configs: [] } });
  });
});

describe('errors', () => {
  it('finds the first error event’s words', () => {
    expect(eventsError([{ type: 'text_delta', text: 'a' }])).toBeUndefined();
    expect(
      eventsError([
        { type: 'error', error: 'boom' },
        { type: 'error', error: 'later' },
      ]),
    ).toBe('boom');
    expect(eventsError([{ type: 'error', error: { code: 7 } }])).toBe('{"code":7}');
  });

  it('writes the §5.3 string: "Error " + one event per line + " in request call to Agent."', () => {
    expect(streamingErrorText([{ type: 'text_delta', text: 'hi' }, { type: 'done' }])).toBe(
      'Error {"type":"text_delta","text":"hi"}\n{"type":"done"} in request call to Agent.',
    );
  });
});
