import type { AgentEvent, WireCommand, WireExecutedCommand, WireMessageData } from './model.js';
import { emptyWireData } from './scripted-agent.js';

/**
 * Agent replies as events (docs/duplocloud-api.md §5): how a reply is streamed, how a sequence of events is one
 * message again (§5.4), and the JSON-string error body of a streaming agent called on a unary endpoint (§5.3).
 */

/** The assistant message a reply becomes. */
export interface AssistantMessage {
  readonly role: 'assistant';
  readonly content: string;
  readonly data: WireMessageData;
}

/** Default `text_delta` size in characters. */
export const DEFAULT_DELTA_CHARS = 24;

export const THINKING = 'Thinking…';

const chunks = (text: string, size: number): string[] => {
  const characters = Array.from(text);
  const parts: string[] = [];
  for (let index = 0; index < characters.length; index += size) {
    parts.push(characters.slice(index, index + size).join(''));
  }
  return parts;
};

/**
 * The events of a reply, in the order an agent emits them: `intermittent_update` ("Thinking…"), the results of
 * approved work (`executed_commands`, `executed_tool_calls`, `executed_approvals`), the text as `text_delta`s of at
 * most `deltaChars` characters, the proposals (`commands`, `tool_calls`, `approvals`), then `done`.
 * `url_configs` has no event type (§5.1) and is not streamed.
 */
export const replyEvents = (message: AssistantMessage, deltaChars: number = DEFAULT_DELTA_CHARS): AgentEvent[] => {
  const { data } = message;
  const events: AgentEvent[] = [{ type: 'intermittent_update', text: THINKING, content: THINKING }];
  if (data.executed_cmds.length > 0) events.push({ type: 'executed_commands', executed_cmds: data.executed_cmds });
  if (data.executed_tool_calls.length > 0) {
    events.push({ type: 'executed_tool_calls', executed_tool_calls: data.executed_tool_calls });
  }
  if (data.executed_approvals.length > 0) {
    events.push({ type: 'executed_approvals', executed_approvals: data.executed_approvals });
  }
  for (const text of chunks(message.content, Math.max(1, Math.floor(deltaChars)))) {
    events.push({ type: 'text_delta', text });
  }
  if (data.cmds.length > 0) events.push({ type: 'commands', commands: data.cmds });
  if (data.tool_calls.length > 0) events.push({ type: 'tool_calls', tool_calls: data.tool_calls });
  if (data.approvals.length > 0) events.push({ type: 'approvals', approvals: data.approvals });
  events.push({ type: 'done', stop_reason: 'end_turn' });
  return events;
};

/** The events of an agent that fails: it starts thinking, then reports the error. */
export const errorEvents = (error: string): AgentEvent[] => [
  { type: 'intermittent_update', text: THINKING, content: THINKING },
  { type: 'error', error },
];

const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    : [];

/** The first `error` event's words, if the events contain one. */
export const eventsError = (events: readonly AgentEvent[]): string | undefined => {
  const event = events.find((candidate) => candidate.type === 'error');
  if (!event) return undefined;
  return typeof event.error === 'string' ? event.error : JSON.stringify(event.error ?? event);
};

/**
 * Events back to one message (§5.4): `content` is the `text_delta`s joined; `data.cmds` the `commands` events'
 * commands, and likewise the other arrays, in order. Unknown event types are skipped.
 */
export const assembleEvents = (events: readonly AgentEvent[]): AssistantMessage => {
  const data = emptyWireData();
  let content = '';
  for (const event of events) {
    switch (event.type) {
      case 'text_delta':
        if (typeof event.text === 'string') content += event.text;
        break;
      case 'commands':
        data.cmds.push(...(records(event.commands) as unknown as WireCommand[]));
        break;
      case 'executed_commands':
        data.executed_cmds.push(...(records(event.executed_cmds) as unknown as WireExecutedCommand[]));
        break;
      case 'tool_calls':
        data.tool_calls.push(...records(event.tool_calls));
        break;
      case 'executed_tool_calls':
        data.executed_tool_calls.push(...records(event.executed_tool_calls));
        break;
      case 'approvals':
        data.approvals.push(...records(event.approvals));
        break;
      case 'executed_approvals':
        data.executed_approvals.push(...records(event.executed_approvals));
        break;
      default:
        break;
    }
  }
  return { role: 'assistant', content, data };
};

/**
 * The error body a streaming agent's events make on a unary endpoint (§3.5, §5.3): one string whose lines are the
 * events, the first prefixed `Error `, the last followed by ` in request call to Agent.`. The HTTP body is this
 * string JSON-encoded.
 */
export const streamingErrorText = (events: readonly AgentEvent[]): string =>
  `Error ${events.map((event) => JSON.stringify(event)).join('\n')} in request call to Agent.`;

/** One SSE frame (§5.2): `data: <json>` and a blank line; with `eventLine`, an `event: <type>` line first. */
export const sseFrame = (event: AgentEvent, eventLine = false): string => {
  const name = eventLine && typeof event.type === 'string' ? `event: ${event.type}\n` : '';
  return `${name}data: ${JSON.stringify(event)}\n\n`;
};

export const SSE_KEEP_ALIVE = ': keep-alive\n\n';
