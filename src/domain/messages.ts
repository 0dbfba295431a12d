/**
 * The HelpDesk message protocol (reference/duplocloud-api.md §5), as the domain sees it. The portal adapter
 * parses wire JSON into these shapes; nothing here knows about HTTP.
 */
export interface ProposedCommand {
  readonly command: string;
  readonly execute: boolean;
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

export interface MessageData {
  readonly cmds: readonly ProposedCommand[];
  readonly executed_cmds: readonly ExecutedCommand[];
  readonly tool_calls: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly executed_tool_calls: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly approvals: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly executed_approvals: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly url_configs: ReadonlyArray<Readonly<Record<string, unknown>>>;
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

/** What we send with every message so the agent knows where it came from and as whom to act. */
export interface PlatformContext {
  readonly impersonate_user: string;
  readonly source: 'slack';
  readonly slack_team_id?: string;
  readonly slack_channel_id?: string;
  readonly slack_thread_ts?: string;
  readonly slack_user_id?: string;
  readonly slack_user_email?: string;
}
