import { describe, expect, it } from 'vitest';
import { validateBlocks, validateModalView } from '../../../test/fakes/slack/block-kit-validator.js';
import type { CommandCard } from '../../domain/command-card.js';
import { buildAgentReply } from './agent-reply.js';
import { buildCommandCard, CardItemLimit, commandDigest } from './command-card.js';
import { buildCommandOutput } from './command-output.js';
import { buildCreateTicketPrompt } from './create-ticket-prompt.js';
import { buildTicketCard } from './ticket-card.js';
import { buildTicketForm, type TicketForm } from './ticket-form.js';

const link = {
  ticketName: 'dev-261125101500',
  ticketTitle: 'Pods <!channel> crash in dev',
  portal: 'acme',
  tenantName: 'dev',
  agentName: 'kubernetes-agent',
  identity: 'dev-deployer',
  createdBy: 'UALICE',
};
const url = 'https://acme.duplocloud.net/app/ai/service-desk/t-1/tickets/chat/dev-261125101500';

/** Every string Slack parses as mrkdwn: the notification text and each mrkdwn text object. */
function mrkdwnOf(message: { text: string; blocks: unknown[] }): string[] {
  const found = [message.text];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.type === 'mrkdwn' && typeof record.text === 'string') found.push(record.text);
      Object.values(record).forEach(walk);
    }
  };
  walk(message.blocks);
  return found;
}

const card = (overrides: Partial<CommandCard> = {}): CommandCard => ({
  id: 'card-1',
  linkId: '1',
  thread: { teamId: 'T1', channelId: 'C1', threadTs: '1.000001' },
  portal: 'acme',
  tenantId: 't-1',
  ticketName: link.ticketName,
  identity: 'dev-deployer',
  items: [
    { kind: 'cmd', text: 'kubectl get pods -n duploservices-dev', description: 'List the pods', raw: {} },
    { kind: 'cmd', text: 'kubectl delete pod web-1 <!here>', raw: {} },
  ],
  createdAt: new Date('2026-11-25T10:00:00Z'),
  expiresAt: new Date('2026-11-25T10:30:00Z'),
  status: 'pending',
  messageTs: null,
  choices: {},
  submittedBy: null,
  submittedAt: null,
  updatedAt: new Date('2026-11-25T10:00:00Z'),
  outcome: null,
  ...overrides,
});

const cardInput = (value: CommandCard) => ({
  card: value,
  agentName: 'kubernetes-agent',
  tenantName: 'dev',
  portal: 'acme',
  redact: (text: string) => text,
});

describe('Block Kit builders', () => {
  it('builds the Create Ticket prompt', async () => {
    const prompt = buildCreateTicketPrompt({ requestTs: '1700000000.000100' });
    expect(validateBlocks(prompt.blocks, 'message')).toEqual([]);
    await expect(JSON.stringify(prompt, null, 2)).toMatchFileSnapshot('./__snapshots__/create-ticket-prompt.json');
  });

  it('builds the ticket card with the web link and Update Context, escaping the title', async () => {
    const message = buildTicketCard({ link, url });
    expect(validateBlocks(message.blocks, 'message')).toEqual([]);
    const text = JSON.stringify(message);
    expect(text).toContain(url);
    expect(text).toContain('Update Context');
    // plain_text (the header) shows markup literally; everything Slack parses as mrkdwn is escaped.
    expect(mrkdwnOf(message).join('\n')).not.toContain('<!channel>');
    expect(message.text).toContain('&lt;!channel&gt;');
    await expect(JSON.stringify(message, null, 2)).toMatchFileSnapshot('./__snapshots__/ticket-card.json');
    const replaced = JSON.stringify(buildTicketCard({ link, url, supersededBy: 'staging-261125101600' }));
    expect(replaced).not.toContain('Update Context');
    expect(replaced).toContain('replaced by ticket *staging-261125101600*');
  });

  it('builds a pending command card with one decision row per command and a confirmed Submit', async () => {
    const message = buildCommandCard(cardInput(card()));
    expect(validateBlocks(message.blocks, 'message')).toEqual([]);
    const text = JSON.stringify(message);
    expect(text).toContain(
      JSON.stringify(
        JSON.stringify({ cardId: 'card-1', index: 1, digest: commandDigest('kubectl delete pod web-1 <!here>') }),
      ).slice(1, -1),
    );
    expect(text).not.toContain('<!here>');
    await expect(JSON.stringify(message, null, 2)).toMatchFileSnapshot('./__snapshots__/command-card-pending.json');
  });

  it('shows who decided what and no buttons once submitted', async () => {
    const decided = card({
      status: 'executed',
      submittedBy: 'UALICE',
      outcome: '1 approved, 1 rejected',
      choices: {
        '0': { decision: 'approve', by: 'UALICE', at: new Date() },
        '1': { decision: 'reject', reason: 'not <!everyone> now', by: 'UBOB', at: new Date() },
      },
    });
    const message = buildCommandCard(cardInput(decided));
    expect(validateBlocks(message.blocks, 'message')).toEqual([]);
    const text = JSON.stringify(message);
    expect(text).not.toContain('"type":"button"');
    expect(text).toContain('Approved by <@UALICE>');
    expect(text).toContain('Rejected by <@UBOB>: not &lt;!everyone&gt; now');
    expect(text).toContain('1 approved, 1 rejected');
  });

  it(`keeps a card with many commands within Slack's limits (${CardItemLimit} shown)`, () => {
    const many = card({
      items: Array.from({ length: 40 }, (_, index) => ({ kind: 'cmd' as const, text: `echo ${index}`, raw: {} })),
    });
    const message = buildCommandCard(cardInput(many));
    expect(validateBlocks(message.blocks, 'message')).toEqual([]);
    expect(JSON.stringify(message)).toContain('20 more are not shown');
  });

  it('posts short output as code and long output as a file', () => {
    const short = buildCommandOutput('kubectl get pods', 'NAME READY\nweb 1/1 <!channel>', 0);
    expect(short.kind).toBe('message');
    if (short.kind === 'message') {
      expect(validateBlocks(short.message.blocks, 'message')).toEqual([]);
      expect(JSON.stringify(short.message)).toContain('&lt;!channel&gt;');
    }
    const long = buildCommandOutput('cat big.log', Array.from({ length: 61 }, () => 'x').join('\n'), 2);
    expect(long).toMatchObject({ kind: 'file', filename: 'command-3-output.txt' });
  });

  it('splits long agent replies into sections and uploads very long ones', () => {
    const medium = buildAgentReply('agent', `${'word '.repeat(1000)}\n\n${'more '.repeat(1000)}`);
    expect(medium.kind).toBe('message');
    if (medium.kind === 'message') expect(validateBlocks(medium.message.blocks, 'message')).toEqual([]);
    const huge = buildAgentReply('agent', 'line of text\n'.repeat(2000));
    expect(huge.kind).toBe('file');
    if (huge.kind === 'file') expect(validateBlocks(huge.summary.blocks, 'message')).toEqual([]);
  });

  it('builds valid Create Ticket and Update Context modals in every state', async () => {
    const base: TicketForm = {
      mode: 'create',
      metadata: '{}',
      portals: ['acme', 'beta'],
      portal: 'acme',
      tenantId: 't-1',
      tenants: { status: 'ready', options: [{ label: 'dev', value: 't-1' }], selected: 't-1' },
      agents: { status: 'ready', options: [{ label: 'kubernetes-agent', value: 'kubernetes-agent' }] },
      identities: { status: 'unavailable', reason: 'No identities.' },
    };
    const many = Array.from({ length: 150 }, (_, index) => ({ label: `tenant-${index}`, value: `t-${index}` }));
    const variants: TicketForm[] = [
      base,
      {
        ...base,
        portal: null,
        tenantId: null,
        tenants: { status: 'hidden' },
        agents: { status: 'hidden' },
        identities: { status: 'hidden' },
      },
      { ...base, tenants: { status: 'loading' }, notice: 'Slack does not share your email address.' },
      { ...base, tenants: { status: 'ready', options: many, selected: 't-3' } },
      {
        ...base,
        mode: 'update',
        current: { portal: 'acme', tenantName: 'prod', agentName: 'a', identity: 'i' },
        askShareThread: true,
      },
    ];
    for (const form of variants) expect(validateModalView(buildTicketForm(form))).toEqual([]);
    const update = buildTicketForm(variants[4] as TicketForm);
    expect(update.title).toEqual(expect.objectContaining({ text: 'Update Context' }));
    expect(update.submit).toEqual(expect.objectContaining({ text: 'Update' }));
    expect(JSON.stringify(update)).toContain('Yes - Share all the thread messages');
    expect(JSON.stringify(update)).toContain('No - Do not share thread messages');
    expect(JSON.stringify(buildTicketForm(variants[3] as TicketForm))).toContain('external_select');
    await expect(JSON.stringify(buildTicketForm(base), null, 2)).toMatchFileSnapshot(
      './__snapshots__/create-ticket-modal.json',
    );
  });
});
