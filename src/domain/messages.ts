/**
 * The HelpDesk message protocol (docs/duplocloud-api.md §5, §6), as the domain sees it. The portal adapter parses
 * wire JSON into these shapes; nothing here knows about HTTP.
 */
export interface ProposedCommand {
  readonly command: string;
  readonly execute: boolean;
  /** The agent's id for the command, echoed back with the decision when it sent one. */
  readonly uid?: string;
  /** Why the agent proposes it, when the agent says. */
  readonly description?: string;
  readonly rejection_reason?: string;
  readonly files?: ReadonlyArray<{ readonly file_path: string; readonly file_content: string }>;
}

export interface ExecutedCommand {
  readonly command: string;
  readonly output: string;
}

/** tool_calls / approvals follow the same execute:true|false pattern; we keep their raw JSON to echo it back. */
export interface ProposedAction {
  readonly kind: 'tool_call' | 'approval';
  /** What we show people: a tool name with its input, or the approval's text. */
  readonly text: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

type RawItems = ReadonlyArray<Readonly<Record<string, unknown>>>;

export interface MessageData {
  readonly cmds: readonly ProposedCommand[];
  readonly executed_cmds: readonly ExecutedCommand[];
  readonly tool_calls: RawItems;
  readonly executed_tool_calls: RawItems;
  readonly approvals: RawItems;
  readonly executed_approvals: RawItems;
  readonly url_configs: RawItems;
}

export const emptyMessageData = (): MessageData => ({
  cmds: [],
  executed_cmds: [],
  tool_calls: [],
  executed_tool_calls: [],
  approvals: [],
  executed_approvals: [],
  url_configs: [],
});

export interface AgentMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly data: MessageData;
}

/** The Slack person a message is sent on behalf of (docs/duplocloud-api.md §8). */
export interface Sender {
  readonly slackUserId: string;
  /** Their email when Slack shares it, else their display name. */
  readonly name: string;
}

/**
 * One step of an agent's turn, as the HelpDesk streams it (docs/duplocloud-api.md §5.1). A unary reply is the same
 * turn without the steps in between.
 */
export type AgentEvent =
  | { readonly type: 'text_delta'; readonly text: string }
  | { readonly type: 'intermittent_update'; readonly text: string }
  | { readonly type: 'commands'; readonly commands: readonly ProposedCommand[] }
  | { readonly type: 'executed_commands'; readonly executed: readonly ExecutedCommand[] }
  | {
      readonly type: 'tool_calls' | 'approvals' | 'executed_tool_calls' | 'executed_approvals';
      readonly items: RawItems;
    }
  | { readonly type: 'done'; readonly stopReason: string | null }
  | { readonly type: 'error'; readonly error: string };

/** Events in arrival order → the one reply they make (§5.4). Stops at `done`; the caller decides about `error`. */
export function collectReply(events: Iterable<AgentEvent>): AgentMessage {
  let content = '';
  const cmds: ProposedCommand[] = [];
  const executed: ExecutedCommand[] = [];
  const lists = {
    tool_calls: [] as Readonly<Record<string, unknown>>[],
    approvals: [] as Readonly<Record<string, unknown>>[],
    executed_tool_calls: [] as Readonly<Record<string, unknown>>[],
    executed_approvals: [] as Readonly<Record<string, unknown>>[],
  };
  for (const event of events) {
    if (event.type === 'done') break;
    if (event.type === 'text_delta') content += event.text;
    else if (event.type === 'commands') cmds.push(...event.commands);
    else if (event.type === 'executed_commands') executed.push(...event.executed);
    else if (event.type in lists && 'items' in event) lists[event.type].push(...event.items);
  }
  return { role: 'assistant', content, data: { ...emptyMessageData(), cmds, executed_cmds: executed, ...lists } };
}

/**
 * A whole reply as the turn it ends: what it ran, its text, what it proposes, then `done` (docs/duplocloud-api.md
 * §5.4 backwards). A unary reply is told to listeners this way, so there is one path for both transports.
 */
export function eventsOfReply(reply: AgentMessage): AgentEvent[] {
  const { data } = reply;
  return [
    ...(data.executed_cmds.length > 0 ? [{ type: 'executed_commands' as const, executed: data.executed_cmds }] : []),
    ...(data.executed_tool_calls.length > 0
      ? [{ type: 'executed_tool_calls' as const, items: data.executed_tool_calls }]
      : []),
    ...(data.executed_approvals.length > 0
      ? [{ type: 'executed_approvals' as const, items: data.executed_approvals }]
      : []),
    ...(reply.content !== '' ? [{ type: 'text_delta' as const, text: reply.content }] : []),
    ...(data.cmds.length > 0 ? [{ type: 'commands' as const, commands: data.cmds }] : []),
    ...(data.tool_calls.length > 0 ? [{ type: 'tool_calls' as const, items: data.tool_calls }] : []),
    ...(data.approvals.length > 0 ? [{ type: 'approvals' as const, items: data.approvals }] : []),
    { type: 'done' as const, stopReason: null },
  ];
}
