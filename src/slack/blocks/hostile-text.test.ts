import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CardStatus, CommandCard } from '../../domain/command-card.js';
import { buildAgentReply } from './agent-reply.js';
import { buildAppHome } from './app-home.js';
import { buildAssistantGreeting } from './assistant-pane.js';
import { buildChannelDefaultsMessage, buildChannelDefaultsSaved } from './channel-defaults.js';
import { buildCommandCard } from './command-card.js';
import { buildCommandOutput } from './command-output.js';
import { buildCreateTicketPrompt, buildCreateTicketPromptDone } from './create-ticket-prompt.js';
import {
  buildHelpdeskHelp,
  buildHelpdeskStatus,
  buildHelpdeskTickets,
  buildNewTicketThread,
  buildNewTicketThreadCancelled,
} from './helpdesk-command.js';
import {
  buildContextChangeNote,
  buildNotice,
  buildPlaceholderNote,
  buildProgressPlaceholder,
  buildRedactionNotice,
  buildThreadNote,
} from './notice.js';
import { buildRejectReasonModal } from './reject-reason-modal.js';
import { buildTicketCard } from './ticket-card.js';
import { buildClosedTicketPrompt, buildClosureNote } from './ticket-closure.js';
import { buildTicketForm, type Choices } from './ticket-form.js';

/**
 * Every builder's output, fed names, titles and texts that are markup: nothing Slack parses as mrkdwn (the
 * notification `text`, each mrkdwn object, a file's comment) may carry live markup but what the service writes
 * itself: mentions of the people who acted, date tokens, and links that show their own target.
 */

const hostile =
  '<!channel> <!here|here> <!everyone> <@UEVIL> <#CEVIL|general> <!subteam^S1|@ops> ' +
  '<https://evil.example|Open AI HelpDesk> &lt;!here&gt; *bold* `code` \u202Eved-dorp\u202C \u2067ltr\u2069';
const named = (what: string) => `${what} ${hostile}`;

const trustedMarkup = [
  /^<@U(ALICE|BOB)>$/,
  /^<#C0HELPDESK>$/, // a channel the service names by the id Slack gave it (/helpdesk defaults)
  /^<!date\^\d+\^[^|<>]+\|[^|<>]+>$/,
  /^<(?:https?:\/\/|mailto:)[^|<>\s]+>$/, // a bare link shows its own target
  /^<https:\/\/acme\.duplocloud\.net\/[^|<>\s]*\|the ticket>$/, // a plain label on a link to the portal
];

/** Agent text with links that would pass for a button, the portal, or another site. */
const hostileLinks =
  '[Approve](https://evil.example/a) [Open AI HelpDesk](https://acme.duplocloud.net/t/1) ' +
  '[https://acme.duplocloud.net](https://acme.duplocloud.net@evil.example/) [ａｃｍｅ．duplocloud．net](https://evil.example/) ' +
  '[the ticket](https://acme.duplocloud.net/t/1)';

/** `<…>` sequences Slack would act on that the service did not write itself. */
const liveMarkup = (text: string): string[] =>
  (text.match(/<[^<>]*>/g) ?? []).filter((token) => !trustedMarkup.some((pattern) => pattern.test(token)));

/** Every string Slack parses as mrkdwn in a message, a view or a file summary. */
function mrkdwnStrings(output: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string | null): void => {
    if (Array.isArray(value)) for (const entry of value) walk(entry, null);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.type === 'mrkdwn' && typeof record.text === 'string') found.push(record.text);
      // A message's notification text is rendered and notified like mrkdwn.
      if (Array.isArray(record.blocks) && typeof record.text === 'string') found.push(record.text);
      for (const [name, entry] of Object.entries(record)) walk(entry, name);
    } else if (typeof value === 'string' && (key === 'summary' || key === 'initial_comment')) found.push(value);
  };
  walk(output, null);
  return found;
}

const link = {
  id: '1',
  ticketName: named('dev-1'),
  ticketTitle: named('Pods crash'),
  portal: named('acme'),
  api: 'tenant' as const,
  spaceName: named('dev'),
  agentName: named('kubernetes-agent'),
  permissions: [{ id: 'dev-deployer', name: named('dev-deployer') }],
  createdBy: 'UALICE',
  createdAt: new Date('2026-11-25T10:00:00Z'),
};
const closure = { at: new Date('2026-11-26T10:00:00Z'), by: 'UBOB', resolution: 'unresolved' as const };

const card = (status: CardStatus): CommandCard => ({
  id: 'card-1',
  linkId: '1',
  thread: { teamId: 'T1', channelId: 'C1', threadTs: '1.000001' },
  portal: link.portal,
  spaceId: 't-1',
  ticketName: link.ticketName,
  agentId: 'k8s-1',
  permissions: link.permissions,
  items: [
    { kind: 'cmd', text: named('kubectl get pods'), description: named('List'), raw: {} },
    { kind: 'tool_call', text: named('scale'), raw: {} },
    { kind: 'approval', text: named('Delete the load balancer'), raw: {} },
  ],
  createdAt: new Date('2026-11-25T10:00:00Z'),
  expiresAt: new Date('2026-11-25T10:30:00Z'),
  status,
  messageTs: null,
  choices: {
    '0': { decision: 'approve', by: 'UALICE', at: new Date() },
    '1': { decision: 'reject', reason: named('not now'), by: 'UBOB', at: new Date() },
  },
  submittedBy: status === 'pending' ? null : 'UALICE',
  submittedAt: null,
  updatedAt: new Date('2026-11-25T10:00:00Z'),
  outcome: status === 'pending' ? null : named('outcome'),
});

const choices = (status: Choices['status']): Choices =>
  status === 'ready'
    ? { status, options: [{ label: named('opt'), value: 'v', description: named('desc') }], selected: ['v'] }
    : status === 'unavailable'
      ? { status, reason: named('Could not load') }
      : { status };

const channelDefaults = {
  channel: { teamId: 'T1', channelId: 'C0HELPDESK' },
  portal: link.portal,
  api: 'tenant' as const,
  spaceId: 'dev',
  spaceName: link.spaceName,
  agentId: 'k8s-1',
  agentName: link.agentName,
  permissions: link.permissions,
  setBy: 'UALICE',
  setAt: new Date('2026-11-25T10:00:00Z'),
};

/** Each builder, by name, with the outputs it gives for hostile input. */
const outputs: Record<string, () => unknown[]> = {
  // Fixed text: nothing a person or portal wrote reaches it.
  buildAssistantGreeting: () => [buildAssistantGreeting()],
  buildAgentReply: () => [
    buildAgentReply(link.agentName, `${hostile}\n\n${hostileLinks}`, { trustedHosts: ['acme.duplocloud.net'] }),
    buildAgentReply(link.agentName, `${hostile}\n`.repeat(600)),
  ],
  buildAppHome: () => [
    buildAppHome({
      tickets: [
        { link, url: 'https://acme.duplocloud.net/t/1', threadUrl: null, status: { kind: 'status', value: hostile } },
        { link: { ...link, api: 'workspace' }, url: null, threadUrl: null, status: { kind: 'unknown' } },
      ],
      closed: [
        { link: { ...link, closed: closure }, threadUrl: null },
        { link: { ...link, closed: closure }, threadUrl: 'https://slack.example/archives/C1/p1' },
      ],
      mayHaveMore: true,
      channelDefaults: [channelDefaults],
      portals: [
        { name: named('acme'), ok: true, api: 'tenant' },
        { name: named('beta'), ok: false, reason: named('portal.unauthorized') },
      ],
      generatedAt: new Date('2026-11-25T10:15:00Z'),
    }),
  ],
  buildChannelDefaultsMessage: () => [
    buildChannelDefaultsMessage({ channelId: 'C0HELPDESK', defaults: channelDefaults, operator: [] }),
    buildChannelDefaultsMessage({
      channelId: 'C0HELPDESK',
      defaults: null,
      operator: [{ portal: named('acme'), space: named('dev'), agent: named('agent') }],
    }),
  ],
  buildChannelDefaultsSaved: () => [buildChannelDefaultsSaved(channelDefaults)],
  buildHelpdeskHelp: () => [buildHelpdeskHelp(), buildHelpdeskHelp(hostile)],
  buildHelpdeskStatus: () => [
    buildHelpdeskStatus([
      { name: named('acme'), ok: true, api: 'tenant' },
      { name: named('nowhere'), ok: false, reason: named('portal.undetected') },
    ]),
  ],
  buildHelpdeskTickets: () => [
    buildHelpdeskTickets(
      [{ link, url: 'https://acme.duplocloud.net/t/1', threadUrl: null, status: { kind: 'status', value: hostile } }],
      true,
    ),
  ],
  buildNewTicketThread: () => [buildNewTicketThread('UALICE', `${hostile}\n${hostileLinks}`)],
  buildNewTicketThreadCancelled: () => [buildNewTicketThreadCancelled('UALICE', `${hostile}\n${hostileLinks}`)],
  buildCommandCard: () =>
    (['pending', 'submitted', 'executed', 'failed', 'expired'] as const).map((status) =>
      buildCommandCard({
        card: card(status),
        agentName: link.agentName,
        spaceName: link.spaceName,
        portal: link.portal,
        api: 'workspace',
        redact: (text) => text,
      }),
    ),
  buildCommandOutput: () => [
    buildCommandOutput(hostile, hostile, 0),
    buildCommandOutput(hostile, `${hostile}\n`.repeat(100), 1),
  ],
  buildCreateTicketPrompt: () => [buildCreateTicketPrompt({ requestTs: '1700000000.000100' })],
  buildCreateTicketPromptDone: () => [buildCreateTicketPromptDone('UALICE', link.ticketName)],
  buildNotice: () => [
    buildNotice(`The service restarted while ${link.agentName} was working on <@UALICE>'s message.`, hostile, [
      'UALICE',
    ]),
  ],
  buildThreadNote: () => [buildThreadNote(`<@UALICE> updated the context: agent → *${link.agentName}*.`, ['UALICE'])],
  buildProgressPlaceholder: () => [buildProgressPlaceholder(link.agentName)],
  buildPlaceholderNote: () => [buildPlaceholderNote('The agent did not answer.')],
  buildRedactionNotice: () => [buildRedactionNotice(2, 'went to the agent as [REDACTED]')],
  buildContextChangeNote: () => [
    buildContextChangeNote({ kind: 'agent', userId: 'UALICE', agentName: link.agentName }),
    ...(['space', 'permissions'] as const).flatMap((because) =>
      [true, false].map((shared) =>
        buildContextChangeNote({
          kind: 'moved',
          userId: 'UALICE',
          because,
          link: { ...link, api: 'workspace' },
          spaceLabel: named('Project'),
          shared,
          redactions: 1,
          newMessage: true,
        }),
      ),
    ),
  ],
  buildRejectReasonModal: () => [
    buildRejectReasonModal(hostile, '{}'),
    buildRejectReasonModal(hostile.repeat(40), '{}'),
  ],
  buildTicketCard: () => [
    buildTicketCard({ link, url: 'https://acme.duplocloud.net/t/1', spaceLabel: named('Project') }),
    buildTicketCard({ link, url: 'https://acme.duplocloud.net/t/1', supersededBy: named('dev-2') }),
    buildTicketCard({ link: { ...link, closed: closure }, url: 'https://acme.duplocloud.net/t/1' }),
  ],
  buildClosedTicketPrompt: () => [buildClosedTicketPrompt({ ...link, closed: closure }, '1700000000.000100')],
  buildClosureNote: () => [
    buildClosureNote({ kind: 'closed', slackUserId: 'UBOB' }, { ...link, closed: closure }),
    buildClosureNote({ kind: 'reopened', slackUserId: 'UALICE' }, { ...link, closed: null }),
  ],
  buildTicketForm: () =>
    (['ready', 'unavailable', 'loading'] as const).map((status) =>
      buildTicketForm({
        mode: 'update',
        metadata: '{}',
        portals: [{ key: 'p1', name: named('acme') }],
        portalKey: 'p1',
        helpdesk: { api: 'workspace', spaceLabel: named('Project') },
        spaceId: 'w-1',
        spaces: choices(status),
        agents: choices(status),
        permissions: choices(status),
        notice: named('Notice'),
        current: {
          portal: link.portal,
          api: 'workspace',
          spaceName: link.spaceName,
          agentName: link.agentName,
          permissions: named('full-access'),
        },
        askShareThread: true,
      }),
    ),
};

describe('hostile names and titles', () => {
  it('covers every builder in src/slack/blocks', async () => {
    const builders: string[] = [];
    const dir = new URL('.', import.meta.url);
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
      const module = (await import(new URL(file, dir).href)) as Record<string, unknown>;
      builders.push(...Object.keys(module).filter((name) => /^build[A-Z]/.test(name)));
    }
    expect(Object.keys(outputs).sort()).toEqual(builders.sort());
  });

  it.each(Object.keys(outputs))('%s leaves no live markup in its text or any mrkdwn', (name) => {
    const built = outputs[name]?.() ?? [];
    expect(built.length).toBeGreaterThan(0);
    for (const output of built) {
      for (const text of mrkdwnStrings(output)) expect(liveMarkup(text), text.slice(0, 300)).toEqual([]);
    }
  });

  it.each(Object.keys(outputs))('%s shows no bidirectional control in any text a person reads', (name) => {
    const bidi = /[\u202A-\u202E\u2066-\u2069]/;
    for (const output of outputs[name]?.() ?? []) {
      const shown: string[] = [...mrkdwnStrings(output)];
      const walk = (value: unknown): void => {
        if (Array.isArray(value)) for (const entry of value) walk(entry);
        else if (value && typeof value === 'object') {
          const record = value as Record<string, unknown>;
          if (record.type === 'plain_text' && typeof record.text === 'string') shown.push(record.text);
          for (const entry of Object.values(record)) walk(entry);
        }
      };
      walk(output);
      expect(shown.length).toBeGreaterThan(0);
      for (const text of shown) expect(bidi.test(text), JSON.stringify(text.slice(0, 200))).toBe(false);
    }
  });

  it('shows hostile names as text in the notification, not as nothing', () => {
    expect(buildCreateTicketPromptDone('UALICE', link.ticketName).text).toContain('&lt;!channel&gt;');
    expect(buildProgressPlaceholder(link.agentName).text).toContain('&lt;!channel&gt;');
    expect(buildNotice('a <!here> b').text).toBe('a &lt;!here&gt; b');
    // Our own mention stays a mention; text escaped once is not escaped twice.
    expect(buildThreadNote('<@UALICE> moved it to *&lt;!here&gt; &amp; co*.', ['UALICE']).text).toBe(
      '<@UALICE> moved it to *&lt;!here&gt; &amp; co*.',
    );
  });
});
