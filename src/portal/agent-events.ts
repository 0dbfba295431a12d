import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import { DomainError } from '../domain/errors.js';
import { type AgentEvent, type AgentMessage, collectReply } from '../domain/messages.js';
import type { AgentEventListener } from '../domain/ports.js';
import { type PortalCallContext, scrubSecrets } from './portal-errors.js';
import {
  ExecutedCommandSchema,
  ProposedCommandSchema,
  toExecutedCommand,
  toProposedCommand,
} from './portal-schemas.js';

/**
 * An agent's turn as events (docs/duplocloud-api.md §5), whichever way the HelpDesk delivers them: a server-sent
 * event stream (`sendMessageStreaming`), or the event lines a unary endpoint puts in its error body when the agent
 * streams (§5.3). Both end in the same `AgentEvent`s and, collected, the same reply a unary call gives.
 */

const RawItems = z
  .array(z.record(z.string(), z.unknown()))
  .nullish()
  .transform((items) => items ?? []);

/** One event's JSON. Unknown types are not an error: the HelpDesk may grow new ones. */
const EventJson = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text_delta'), text: z.string() }),
  z.object({
    type: z.literal('intermittent_update'),
    text: z
      .string()
      .nullish()
      .transform((text) => text ?? ''),
  }),
  z.object({ type: z.literal('commands'), commands: z.array(ProposedCommandSchema) }),
  z.object({ type: z.literal('executed_commands'), executed_cmds: z.array(ExecutedCommandSchema) }),
  z.object({ type: z.literal('tool_calls'), tool_calls: RawItems }),
  z.object({ type: z.literal('approvals'), approvals: RawItems }),
  z.object({ type: z.literal('executed_tool_calls'), executed_tool_calls: RawItems }),
  z.object({ type: z.literal('executed_approvals'), executed_approvals: RawItems }),
  z.object({
    type: z.literal('done'),
    stop_reason: z
      .string()
      .nullish()
      .transform((reason) => reason ?? null),
  }),
  z.object({ type: z.literal('error'), error: z.unknown() }),
]);

const KnownTypes = new Set<string>(EventJson.options.map((option) => option.shape.type.value));

/** The longest text one stream may carry before it is cut off as hostile. */
export const MaxStreamChars = 8 * 1024 * 1024;

/**
 * One event from its JSON text; null for something that is not an event (a keep-alive, an unknown type). A known
 * type with the wrong shape is a bad response: the reply would otherwise come back silently incomplete.
 */
export function parseAgentEvent(context: PortalCallContext, text: string): AgentEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !KnownTypes.has(type)) return null;
  const parsed = EventJson.safeParse(json);
  if (!parsed.success) {
    throw new DomainError('portal.bad_response', `Portal "${context.portal}": a ${type} event could not be read`, {
      portal: context.portal,
      operation: context.operation,
      event: type,
    });
  }
  const event = parsed.data;
  switch (event.type) {
    case 'text_delta':
    case 'intermittent_update':
      return { type: event.type, text: event.text };
    case 'commands':
      return { type: 'commands', commands: event.commands.map(toProposedCommand) };
    case 'executed_commands':
      return { type: 'executed_commands', executed: event.executed_cmds.map(toExecutedCommand) };
    case 'tool_calls':
      return { type: 'tool_calls', items: event.tool_calls };
    case 'approvals':
      return { type: 'approvals', items: event.approvals };
    case 'executed_tool_calls':
      return { type: 'executed_tool_calls', items: event.executed_tool_calls };
    case 'executed_approvals':
      return { type: 'executed_approvals', items: event.executed_approvals };
    case 'done':
      return { type: 'done', stopReason: event.stop_reason };
    case 'error':
      return { type: 'error', error: typeof event.error === 'string' ? event.error : JSON.stringify(event.error) };
  }
}

/** The agent's own words for a failure, as an error the person is told about (never the raw text in Slack). */
export function agentFailure(context: PortalCallContext, words: string): DomainError {
  const excerpt = scrubSecrets(words, context.secrets).replace(/\s+/g, ' ').trim().slice(0, 200);
  return new DomainError('agent.failed', `Portal "${context.portal}": the agent reported an error: ${excerpt}`, {
    portal: context.portal,
    operation: context.operation,
    // The agent's own words, cut short: untrusted text, redacted (logs, and Slack's causeOf) before anyone reads it.
    agentWords: excerpt,
  });
}

/**
 * The reply a finished turn makes. An `error` event fails it with the agent's words; a turn without `done` was cut
 * short, which `complete` says whether to accept (a recovered error body may end at its last text).
 */
export function replyFromEvents(
  context: PortalCallContext,
  events: readonly AgentEvent[],
  { requireDone }: { readonly requireDone: boolean },
): AgentMessage {
  const failure = events.find((event) => event.type === 'error');
  if (failure?.type === 'error') throw agentFailure(context, failure.error);
  if (requireDone && !events.some((event) => event.type === 'done')) {
    throw new DomainError(
      'portal.unavailable',
      `Portal "${context.portal}": the agent's stream ended before the agent finished`,
      { portal: context.portal, operation: context.operation, errorCode: 'STREAM_CUT' },
    );
  }
  return collectReply(events);
}

/**
 * The events a unary endpoint put in its error body for a streaming agent (§5.3): a JSON-encoded string (or the
 * text itself) whose lines are events, the first after an `Error ` prefix, the last followed by words. Null when
 * the body is not that: then it is a real error.
 */
export function eventsFromErrorBody(context: PortalCallContext, body: string): AgentEvent[] | null {
  let text = body;
  try {
    const decoded: unknown = JSON.parse(body);
    if (typeof decoded !== 'string') return null;
    text = decoded;
  } catch {
    // Not JSON: read the text as it is.
  }
  const events: AgentEvent[] = [];
  for (const line of text.split(/\r?\n/)) {
    const start = line.indexOf('{');
    const end = line.lastIndexOf('}');
    if (start < 0 || end <= start) continue;
    const event = parseAgentEvent(context, line.slice(start, end + 1));
    if (event) events.push(event);
  }
  const answered = events.some((event) => ['text_delta', 'done', 'commands', 'error'].includes(event.type));
  return answered ? events : null;
}

/**
 * Reads a server-sent event stream into events as they arrive, until `done` (then stops reading), an `error`
 * event, the end of the stream or a failure of the connection. Partial lines, multi-byte characters split across
 * chunks and comment keep-alives are handled by the parser; `signal` bounds the whole read.
 */
export async function* readEventStream(
  context: PortalCallContext,
  body: Readable,
  signal: AbortSignal,
): AsyncGenerator<AgentEvent> {
  const pending: AgentEvent[] = [];
  let failure: DomainError | null = null;
  const parser = createParser({
    maxBufferSize: MaxStreamChars,
    onEvent: (message) => {
      if (failure) return;
      try {
        const event = parseAgentEvent(context, message.data);
        if (event) pending.push(event);
      } catch (error) {
        failure = error as DomainError;
      }
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') {
        failure = new DomainError('portal.bad_response', `Portal "${context.portal}": an event was too large`, {
          portal: context.portal,
          operation: context.operation,
        });
      }
    },
  });
  /** Hands out what the parser found; true once the turn is over (`done` or `error`). */
  function* drain(): Generator<AgentEvent, boolean> {
    if (failure) throw failure;
    while (pending.length > 0) {
      const event = pending.shift() as AgentEvent;
      yield event;
      if (event.type === 'done' || event.type === 'error') return true;
    }
    return false;
  }
  body.setEncoding('utf8');
  let read = 0;
  let last = '';
  try {
    for await (const chunk of body as AsyncIterable<string>) {
      read += chunk.length;
      if (read > MaxStreamChars) {
        throw new DomainError('portal.bad_response', `Portal "${context.portal}": the agent's stream was too long`, {
          portal: context.portal,
          operation: context.operation,
        });
      }
      parser.feed(chunk);
      if (chunk !== '') last = chunk;
      if (yield* drain()) return;
    }
    // A line may end with a lone CR, which the parser holds until it sees whether LF follows; at the end none will.
    if (last.endsWith('\r')) {
      parser.feed('\n');
      yield* drain();
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    const timedOut = signal.aborted;
    throw new DomainError(
      timedOut ? 'portal.timeout' : 'portal.unavailable',
      `Portal "${context.portal}": the agent's stream ${timedOut ? 'took too long' : 'was cut'}`,
      { portal: context.portal, operation: context.operation, errorCode: timedOut ? 'ETIMEDOUT' : 'STREAM_CUT' },
    );
  } finally {
    body.destroy();
  }
}

/** Reads a whole body (an error answer of a streaming call) as text, bounded. */
export async function readText(body: Readable): Promise<string> {
  body.setEncoding('utf8');
  let text = '';
  for await (const chunk of body as AsyncIterable<string>) {
    text += chunk;
    if (text.length > MaxStreamChars) break;
  }
  body.destroy();
  return text;
}

/**
 * Tells a listener one step of a turn. A listener that fails (Slack refused a post) does not stop the turn: the
 * message reached the agent, and its whole reply is still returned to the caller.
 */
export async function tell(onEvent: AgentEventListener | undefined, event: AgentEvent): Promise<void> {
  if (!onEvent) return;
  try {
    await onEvent(event);
  } catch {
    // The listener reports its own failures; the turn goes on.
  }
}
