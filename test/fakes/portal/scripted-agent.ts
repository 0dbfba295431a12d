import type {
  AgentEvent,
  FakeAgent,
  FakeTenant,
  FakeTicket,
  FakeTicketMessage,
  FakeWorkspace,
  HelpdeskApi,
  WireCommand,
  WireExecutedCommand,
  WireMessageData,
} from './model.js';

/**
 * What an agent answers, on either generation: text plus any message data (absent arrays are sent as []).
 * - `error`: the agent fails. Unary: 500 `{Message}` (Gen B `{success: false, message}`); a streaming agent: an
 *   `error` event (in the stream, or in the §5.3 error body of a unary call).
 * - `events`: the exact event sequence to stream (and to put in a streaming agent's §5.3 error body), instead of
 *   the events made from `content` and `data`; e.g. a secret split across two `text_delta`s, or no `done`. What
 *   the ticket records, and what a non-streaming agent answers, is these events assembled (§5.4); an `error`
 *   event among them makes it a failure.
 */
export interface AgentReply {
  /** Default ''. */
  readonly content?: string;
  readonly data?: Partial<WireMessageData>;
  readonly error?: string;
  readonly events?: readonly AgentEvent[];
}

/** Where a ticket lives, whatever the generation: a tenant (Gen A) or a workspace (Gen B). */
export interface FakeSpace {
  readonly id: string;
  readonly name: string;
}

export interface AgentScriptContext {
  readonly api: HelpdeskApi;
  readonly ticket: FakeTicket;
  /** The user message just received (already the last of `ticket.messages`). */
  readonly message: FakeTicketMessage;
  /** The tenant (Gen A) or workspace (Gen B) of the ticket. */
  readonly space: FakeSpace;
  /** Gen A only. */
  readonly tenant?: FakeTenant;
  /** Gen B only. */
  readonly workspace?: FakeWorkspace;
  /** The agent the ticket is assigned to. */
  readonly agent: FakeAgent;
  /** For an approval echo: the echoed commands (already checked against the ticket's proposals); else []. */
  readonly decisions: readonly WireCommand[];
  /** What the default script answers to this message. */
  defaultReply(): AgentReply;
}

/** A test's agent. Return undefined to fall back to the default script. */
export type AgentScript = (context: AgentScriptContext) => AgentReply | undefined | Promise<AgentReply | undefined>;

/**
 * The default script's rule for "actionable": the content has a word that starts with one of these
 * (case-insensitive: "Pods", "deployment", "logging", "CrashLoopBackOff" all count). Actionable messages get two
 * proposed commands; anything else gets a text answer only.
 */
export const ACTIONABLE_WORDS = [
  'pod',
  'deploy',
  'restart',
  'log',
  'kubectl',
  'service',
  'error',
  'crash',
  'down',
] as const;

const actionablePattern = new RegExp(`\\b(?:${ACTIONABLE_WORDS.join('|')})`, 'i');

export const isActionable = (content: string): boolean => actionablePattern.test(content);

export const emptyWireData = (): WireMessageData => ({
  cmds: [],
  executed_cmds: [],
  tool_calls: [],
  executed_tool_calls: [],
  approvals: [],
  executed_approvals: [],
  url_configs: [],
});

export const fullWireData = (partial: Partial<WireMessageData> = {}): WireMessageData => ({
  ...emptyWireData(),
  ...partial,
});

/** The space's Kubernetes namespace, as DuploCloud names a tenant's. */
export const namespaceOf = (space: FakeSpace): string => `duploservices-${space.name}`;

/** The two commands the default script proposes for an actionable message. */
export const defaultProposals = (space: FakeSpace): string[] => [
  `kubectl get pods -n ${namespaceOf(space)}`,
  `kubectl rollout restart deployment/web -n ${namespaceOf(space)}`,
];

const summarize = (content: string): string => {
  const oneLine = content.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine;
};

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** A deterministic, plausible output for a command nobody set an output for. */
export const plausibleOutput = (command: string): string => {
  const getPods = /^kubectl get pods?\b/.exec(command);
  if (getPods) {
    return [
      'NAME                      READY   STATUS    RESTARTS   AGE',
      'web-7d4b9c6f5d-2xkqp      1/1     Running   0          3d2h',
      'web-7d4b9c6f5d-9hj4z      1/1     Running   1          3d2h',
      'worker-5f6c8d7b9-lm2np    1/1     Running   0          12h',
    ].join('\n');
  }
  const restart = /^kubectl rollout restart (\S+)/.exec(command);
  if (restart?.[1]) return `${restart[1].replace(/^deployment\//, 'deployment.apps/')} restarted`;
  if (/^kubectl logs\b/.test(command)) {
    return [
      '2025-11-25T13:30:15Z INFO  server listening on :8080',
      '2025-11-25T13:30:16Z INFO  connected to database',
      '2025-11-25T13:31:02Z WARN  slow request GET /api/orders 1.8s',
    ].join('\n');
  }
  return `$ ${command}\n(exit code 0)`;
};

const plainReply = (ticket: FakeTicket, message: FakeTicketMessage, space: FakeSpace): AgentReply => {
  const kind = ticket.api === 'tenant' ? 'tenant' : 'workspace';
  const summary = summarize(message.content);
  if (summary === '') return { content: `Ticket ${ticket.name} is open. What do you need in ${kind} ${space.name}?` };
  if (!isActionable(message.content)) {
    return {
      content:
        `You asked: "${summary}". Nothing there needs a command in ${kind} ${space.name}; ` +
        'ask me about pods, deployments, logs or services.',
    };
  }
  return {
    content:
      `You asked: "${summary}". I will list the pods in ${namespaceOf(space)} and restart the web deployment. ` +
      'Approve the commands you want me to run.',
    data: { cmds: defaultProposals(space).map((command) => ({ command, execute: false })) },
  };
};

const echoReply = (decisions: readonly WireCommand[], outputs: ReadonlyMap<string, string>): AgentReply => {
  const approved = decisions.filter((decision) => decision.execute);
  const rejected = decisions.filter((decision) => !decision.execute);
  const executed: WireExecutedCommand[] = approved.map(({ command }) => ({
    command,
    output: outputs.get(command) ?? plausibleOutput(command),
  }));
  const lines = [`Ran ${plural(approved.length, 'command')}, rejected ${rejected.length}.`];
  for (const decision of rejected) {
    lines.push(`Rejected \`${decision.command}\`: ${decision.rejection_reason?.trim() || 'no reason given'}`);
  }
  return { content: lines.join('\n'), data: { executed_cmds: executed } };
};

/**
 * The default agent, the same on both generations. A plain message gets a short answer echoing the request, with two proposed commands
 * (execute:false) when the message is actionable. An approval echo gets `executed_cmds` for exactly the approved
 * commands and text saying how many ran and which were rejected, with no new commands.
 */
export const defaultAgentReply = (
  ticket: FakeTicket,
  message: FakeTicketMessage,
  space: FakeSpace,
  decisions: readonly WireCommand[],
  outputs: ReadonlyMap<string, string>,
): AgentReply => (decisions.length > 0 ? echoReply(decisions, outputs) : plainReply(ticket, message, space));
