import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blocksText,
  validateBlocks,
  validateMessageContent,
  validateModalView,
} from '../../../test/fakes/slack/block-kit-validator.js';
import {
  type CardChoice,
  type CardItem,
  type CardStatus,
  type CommandCard,
  hiddenCharactersIn,
} from '../../domain/command-card.js';
import { buildAgentReply } from './agent-reply.js';
import { buildCommandCard, CardItemLimit, CardTextBudget, commandDigest } from './command-card.js';
import { buildCommandOutput } from './command-output.js';
import { buildCreateTicketPrompt, buildCreateTicketPromptDone } from './create-ticket-prompt.js';
import { ActionId } from './ids.js';
import { buildRejectReasonModal } from './reject-reason-modal.js';
import { buildTicketCard } from './ticket-card.js';
import { buildTicketForm, type TicketForm } from './ticket-form.js';

const link = {
  ticketName: 'dev-261125101500',
  ticketTitle: 'Pods <!channel> crash in dev',
  portal: 'acme',
  api: 'tenant' as const,
  spaceName: 'dev',
  agentName: 'kubernetes-agent',
  permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
  createdBy: 'UALICE',
};
const workspaceLink = {
  ...link,
  ticketName: 'PLATFORM-7',
  api: 'workspace' as const,
  spaceName: 'platform',
  permissions: [
    { id: 's-1', name: 'full-access' },
    { id: 's-3', name: 'read-only' },
  ],
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
  spaceId: 't-1',
  ticketName: link.ticketName,
  agentId: 'k8s-1',
  permissions: link.permissions,
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
  spaceName: 'dev',
  portal: 'acme',
  api: 'tenant' as const,
  redact: (text: string) => text,
});

describe('Block Kit builders', () => {
  it('builds the Create Ticket prompt', async () => {
    const prompt = buildCreateTicketPrompt({ requestTs: '1700000000.000100' });
    expect(validateBlocks(prompt.blocks, 'message')).toEqual([]);
    await expect(JSON.stringify(prompt, null, 2)).toMatchFileSnapshot('./__snapshots__/create-ticket-prompt.json');
  });

  it('marks the prompt done with the ticket name escaped (it comes from the portal)', () => {
    const done = buildCreateTicketPromptDone('UALICE', 'dev-1 <!channel> <https://evil.example|x>');
    expect(validateBlocks(done.blocks, 'message')).toEqual([]);
    const text = JSON.stringify(done.blocks);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
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

  it('names the space and permissions as a workspace-scoped HelpDesk does, with the operator’s word', () => {
    const message = buildTicketCard({ link: workspaceLink, url, spaceLabel: 'Project' });
    expect(validateBlocks(message.blocks, 'message')).toEqual([]);
    const text = mrkdwnOf(message).join('\n');
    expect(text).toContain('*Project*\nplatform');
    expect(text).toContain('*Scopes*\nfull-access, read-only');
    expect(text).not.toContain('Tenant');
    expect(JSON.stringify(buildTicketCard({ link: workspaceLink, url }))).toContain('*Workspace*');
    const tenantCard = mrkdwnOf(buildTicketCard({ link, url })).join('\n');
    expect(tenantCard).toContain('*Tenant*\ndev');
    expect(tenantCard).toContain('*Permissions*\ndev-deployer');
  });

  it('says a workspace card runs with scopes, and a tenant card as an identity', () => {
    const tenant = JSON.stringify(buildCommandCard(cardInput(card())));
    expect(tenant).toContain('Runs as *dev-deployer* in *dev*');
    const workspace = JSON.stringify(
      buildCommandCard({
        ...cardInput(card({ permissions: workspaceLink.permissions })),
        api: 'workspace',
        spaceName: 'platform',
      }),
    );
    expect(workspace).toContain('Runs with scopes *full-access, read-only* in *platform*');
    expect(workspace).toContain('Approved commands run in platform with scopes full-access, read-only.');
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
      portals: [
        { key: 'pacme', name: 'acme' },
        { key: 'pbeta', name: 'beta' },
      ],
      portalKey: 'pacme',
      helpdesk: { api: 'tenant', spaceLabel: null },
      spaceId: 't-1',
      spaces: { status: 'ready', options: [{ label: 'dev', value: 't-1' }], selected: ['t-1'] },
      agents: { status: 'ready', options: [{ label: 'kubernetes-agent', value: 'k8s-1' }] },
      permissions: { status: 'unavailable', reason: 'No identities.' },
    };
    const many = Array.from({ length: 150 }, (_, index) => ({ label: `tenant-${index}`, value: `t-${index}` }));
    const scopes = [
      { label: 'full-access', value: 's-1' },
      { label: 'read-only', value: 's-3' },
    ];
    const workspace: TicketForm = {
      ...base,
      helpdesk: { api: 'workspace', spaceLabel: null },
      spaces: { status: 'ready', options: [{ label: 'platform', value: 'w-1' }], selected: ['w-1'] },
      permissions: { status: 'ready', options: scopes, selected: ['s-1', 's-3'] },
    };
    const variants: TicketForm[] = [
      base,
      {
        ...base,
        portalKey: null,
        helpdesk: null,
        spaceId: null,
        spaces: { status: 'hidden' },
        agents: { status: 'hidden' },
        permissions: { status: 'hidden' },
      },
      { ...base, spaces: { status: 'loading' }, notice: 'Slack does not share your email address.' },
      { ...base, spaces: { status: 'ready', options: many, selected: ['t-3'] } },
      {
        ...base,
        mode: 'update',
        current: { portal: 'acme', api: 'tenant', spaceName: 'prod', agentName: 'a', permissions: 'i' },
        askShareThread: true,
      },
      workspace,
      {
        ...workspace,
        mode: 'update',
        helpdesk: { api: 'workspace', spaceLabel: 'Project' },
        current: {
          portal: 'acme',
          api: 'workspace',
          spaceName: 'platform',
          agentName: 'a',
          permissions: 'full-access',
        },
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
    await expect(JSON.stringify(buildTicketForm(workspace), null, 2)).toMatchFileSnapshot(
      './__snapshots__/create-ticket-modal-workspace.json',
    );
    const workspaceModal = JSON.stringify(buildTicketForm(workspace));
    expect(workspaceModal).toContain('"text":"Workspace"');
    expect(workspaceModal).toContain('"text":"Scopes"');
    expect(workspaceModal).toContain('multi_static_select');
    expect(workspaceModal).not.toContain('Tenant');
    const renamed = JSON.stringify(buildTicketForm(variants[6] as TicketForm));
    expect(renamed).toContain('"text":"Project"');
    expect(renamed).toContain('Yes - Share all the thread messages');
  });
});

/** `kubectl get -o wide` output: every `<none>` grows by six characters when escaped. */
const wideLine = 'web-7d4b9c6f5d-2xkqp   1/1   Running   0   3d2h   10.0.1.23   ip-10-0-1-5   <none>   <none>\n';
const wideOutput = (chars: number) => wideLine.repeat(Math.ceil(chars / wideLine.length)).slice(0, chars);
/** A command that grows when escaped: `&&`, `<` and `>` throughout. */
const longCommand = (chars: number, seed = 0) =>
  `kubectl get pods -n ns-${seed} -o wide | grep -v "<none>" && echo ok > /tmp/out-${seed} `
    .repeat(Math.ceil(chars / 40))
    .slice(0, chars);

const sectionTexts = (blocks: unknown[]): string[] =>
  blocks.flatMap((block) => {
    const text = (block as { type: string; text?: { text?: string } }).text?.text;
    return (block as { type: string }).type === 'section' && text !== undefined ? [text] : [];
  });

const decisionDigests = (blocks: unknown[]): string[] =>
  blocks.flatMap((block) =>
    (block as { type: string; block_id?: string }).block_id?.endsWith('.decide')
      ? [JSON.parse((block as { elements: { value: string }[] }).elements[0]?.value ?? '{}').digest as string]
      : [],
  );

describe('command output near the limits', () => {
  it('uploads a 2,800-character output full of <none> with a 300-character command: escaped, it would not fit', () => {
    const output = wideOutput(2_800);
    const post = buildCommandOutput(longCommand(300), output, 0);
    expect(post).toMatchObject({ kind: 'file', content: output, filename: 'command-1-output.txt' });
    if (post.kind === 'file') expect(post.summary).toMatch(/: 31 lines, 2,800 characters, attached as a file\.$/);
  });

  it('uploads output that fits raw but not with its heading', () => {
    const output = 'x'.repeat(2_800);
    expect(buildCommandOutput('k'.repeat(300), output, 0).kind).toBe('file');
    expect(buildCommandOutput('ls', output, 0).kind).toBe('message');
  });

  it('posts what fits as a message Slack accepts, and everything else as a file, for any output and command', () => {
    const piece = fc.constantFrom('<none>', '&', '`', '```', 'a', ' ', '\n', 'pod-1   1/1   Running', '😀');
    const text = (max: number) => fc.array(piece, { maxLength: max }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text(100), text(800), (command, output) => {
        const post = buildCommandOutput(command, output, 0);
        if (post.kind === 'message') {
          expect(validateMessageContent(post.message)).toEqual({ ok: true });
          expect(post.message.blocks[0]).toMatchObject({ text: { text: expect.stringContaining('Output of `') } });
        } else {
          expect(post.content).toBe(output);
          expect(post.summary.length).toBeLessThan(500);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('command card near the limits', () => {
  const reason500 = `${'not now <!here>, use the canary & wait '.repeat(13)}`.slice(0, 500);

  it('redraws a 2,325-character command with a 221-character description after a Reject with a 500-character reason', () => {
    const item: CardItem = {
      kind: 'cmd',
      text: longCommand(2_325),
      description: 'd&<'.repeat(74).slice(0, 221),
      raw: {},
    };
    const pending = card({ items: [item] });
    expect(validateMessageContent(buildCommandCard(cardInput(pending)))).toEqual({ ok: true });
    const rejected = card({
      items: [item],
      choices: { '0': { decision: 'reject', reason: reason500, by: 'UALICE', at: new Date() } },
    });
    const redrawn = buildCommandCard(cardInput(rejected));
    expect(validateMessageContent(redrawn)).toEqual({ ok: true });
    const [, section] = sectionTexts(redrawn.blocks);
    expect(section).toContain(`Rejected by <@UALICE>: ${escapeHostile(reason500).slice(0, 100)}`);
    expect(section).toContain('Shown shortened: the full command (2,325 characters) is in the AI HelpDesk.');
    expect(decisionDigests(redrawn.blocks)).toEqual([commandDigest(item.text)]);
    const submitted = buildCommandCard(cardInput({ ...rejected, status: 'executed', submittedBy: 'UALICE' }));
    expect(validateMessageContent(submitted)).toEqual({ ok: true });
    expect(JSON.stringify(submitted)).not.toContain('"type":"button"');
  });

  it('shows a command whole when it fits, however much it grows when escaped', () => {
    const text = '<'.repeat(700); // 2,800 characters escaped
    const message = buildCommandCard(cardInput(card({ items: [{ kind: 'cmd', text, raw: {} }] })));
    expect(validateMessageContent(message)).toEqual({ ok: true });
    expect(sectionTexts(message.blocks)[1]).toContain('&lt;'.repeat(700));
    expect(JSON.stringify(message)).not.toContain('Shown shortened');
  });

  it(`keeps ${CardItemLimit} long commands, descriptions and reasons within Slack's limits, bound to the full commands`, () => {
    const items: CardItem[] = Array.from({ length: 25 }, (_, index) => ({
      kind: 'cmd',
      text: longCommand(2_400, index),
      description: `Step ${index}: ${'check <this> & that '.repeat(30)}`,
      raw: {},
    }));
    const choices: Record<string, CardChoice> = {};
    for (let index = 0; index < 10; index += 1) {
      choices[String(index)] = { decision: 'reject', reason: reason500, by: 'UBOB', at: new Date() };
    }
    for (const status of ['pending', 'executed'] as const) {
      const message = buildCommandCard(cardInput(card({ items, choices, status, submittedBy: 'UALICE' })));
      expect(validateMessageContent(message)).toEqual({ ok: true });
      expect(blocksText(message.blocks)).toBeLessThanOrEqual(CardTextBudget);
      const sections = sectionTexts(message.blocks).slice(1);
      expect(sections).toHaveLength(CardItemLimit);
      for (const [index, section] of sections.entries()) {
        expect(section).toMatch(new RegExp(`^\\*Command ${index + 1}\\*\\nStep ${index}: `));
        expect(section).toContain('Shown shortened: the full command (2,400 characters) is in the AI HelpDesk.');
        expect(section).toContain(index < 10 ? 'Rejected by <@UBOB>: not now' : '_Not decided yet_');
      }
      if (status === 'pending') {
        expect(decisionDigests(message.blocks)).toEqual(
          items.slice(0, CardItemLimit).map((item) => commandDigest(item.text)),
        );
      }
    }
  });

  it('is accepted by Slack for any commands, descriptions, reasons and state', () => {
    const piece = fc.constantFrom('<none>', '&', '`', '```', 'a', ' ', '\n', 'kubectl get pods', '😀', 'x'.repeat(400));
    const text = (max: number) => fc.array(piece, { maxLength: max }).map((parts) => parts.join(''));
    const item = fc.record({ text: text(40), description: fc.option(text(10), { nil: undefined }) });
    const choice = fc.option(
      fc.record({
        decision: fc.constantFrom('approve', 'reject', 'ignore'),
        reason: fc.option(text(10), { nil: undefined }),
      }),
      { nil: undefined },
    );
    const status = fc.constantFrom<CardStatus>('pending', 'submitted', 'executed', 'failed', 'expired');
    fc.assert(
      fc.property(fc.array(fc.tuple(item, choice), { minLength: 1, maxLength: 24 }), status, (entries, state) => {
        const items: CardItem[] = entries.map(([entry]) => ({
          kind: 'cmd',
          text: entry.text.length > 0 ? entry.text : 'ls',
          ...(entry.description ? { description: entry.description } : {}),
          raw: {},
        }));
        const choices: Record<string, CardChoice> = {};
        entries.forEach(([, picked], index) => {
          if (picked) {
            choices[String(index)] = {
              decision: picked.decision,
              ...(picked.reason ? { reason: picked.reason } : {}),
              by: 'UALICE',
              at: new Date(),
            };
          }
        });
        const message = buildCommandCard(cardInput(card({ items, choices, status: state, submittedBy: 'UALICE' })));
        expect(validateMessageContent(message)).toEqual({ ok: true });
        expect(blocksText(message.blocks)).toBeLessThanOrEqual(CardTextBudget);
        if (state === 'pending') {
          expect(decisionDigests(message.blocks)).toEqual(
            items.slice(0, CardItemLimit).map((entry) => commandDigest(entry.text)),
          );
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('hidden characters on command cards', () => {
  // Reads `kubectl delete pod web-1 # in-dev`; runs `kubectl delete pod web-1 # ` and a reversed comment.
  const tricky = 'kubectl delete pod web-1 # \u202Eved-ni\u202C';
  const hiddenCard = (overrides: Partial<CommandCard> = {}) =>
    card({
      items: [
        { kind: 'cmd', text: tricky, description: 'Clean up\u200B the pod', raw: {} },
        { kind: 'cmd', text: 'kubectl get pods', raw: {} },
      ],
      ...overrides,
    });
  const rowOf = (blocks: unknown[], index: number) =>
    (blocks as { block_id?: string; elements?: { action_id: string; value: string }[] }[]).find(
      (block) => block.block_id === `cmd.${index}.decide`,
    );

  it('shows each one in the command, its description and the notification text', () => {
    const message = buildCommandCard(cardInput(hiddenCard()));
    expect(validateMessageContent(message)).toEqual({ ok: true });
    const [, section] = sectionTexts(message.blocks);
    expect(section).toContain('kubectl delete pod web-1 # ⟦U+202E⟧ved-ni⟦U+202C⟧');
    expect(section).toContain('Clean up⟦U+200B⟧ the pod');
    expect(section).not.toMatch(/[\u202E\u202C]/);
    expect(section).toContain('*Cannot be approved:* this command carries characters that do not show');
    expect(message.text).toContain('⟦U+202E⟧ved-ni⟦U+202C⟧');
    expect(sectionTexts(message.blocks)[2]).not.toContain('Cannot be approved');
  });

  it('offers no Approve on such an item, and binds its other buttons to the full stored command', () => {
    const message = buildCommandCard(cardInput(hiddenCard()));
    const row = rowOf(message.blocks, 0);
    expect(row?.elements?.map((element) => element.action_id)).toEqual([ActionId.Reject, ActionId.Ignore]);
    expect(JSON.parse(row?.elements?.[0]?.value ?? '{}')).toEqual({
      cardId: 'card-1',
      index: 0,
      digest: commandDigest(tricky),
    });
    expect(rowOf(message.blocks, 1)?.elements?.map((element) => element.action_id)).toEqual([
      ActionId.Approve,
      ActionId.Reject,
      ActionId.Ignore,
    ]);
  });

  it('says an Approve recorded anyway is refused, and shows a reason’s hidden characters', () => {
    const choices: Record<string, CardChoice> = {
      '0': { decision: 'approve', by: 'UEVE', at: new Date() },
      '1': { decision: 'reject', reason: 'not\u00A0now', by: 'UBOB', at: new Date() },
    };
    const [, first, second] = sectionTexts(buildCommandCard(cardInput(hiddenCard({ choices }))).blocks);
    expect(first).toContain('<@UEVE> chose Approve, which is refused (hidden characters)');
    expect(first).not.toContain('Approved by');
    expect(second).toContain('Rejected by <@UBOB>: not⟦U+00A0⟧now');
  });

  it('keeps any card with hidden characters within limits, every one shown and no Approve on those items', () => {
    const hidden = fc.constantFrom(
      '\u202E',
      '\u2066',
      '\u200B',
      '\u200D',
      '\u2060',
      '\uFEFF',
      '\u00AD',
      '\u00A0',
      '\u001B',
    );
    const piece = fc.oneof(
      hidden,
      fc.constantFrom('kubectl get pods', '<none>', '&', '```', ' ', '\n', 'x'.repeat(300)),
    );
    const text = fc.array(piece, { minLength: 1, maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 20 }), (texts) => {
        const items: CardItem[] = texts.map((entry) => ({ kind: 'cmd', text: entry, raw: {} }));
        const message = buildCommandCard(cardInput(card({ items })));
        expect(validateMessageContent(message)).toEqual({ ok: true });
        const sections = sectionTexts(message.blocks).slice(1);
        items.forEach((item, index) => {
          // The only invisible characters left are those that keep ``` runs from closing the block.
          expect(hiddenCharactersIn(sections[index]?.replace(/`\u200B(?=`)/g, '`') ?? '')).toEqual([]);
          const actions = rowOf(message.blocks, index)?.elements?.map((element) => element.action_id);
          expect(actions?.includes(ActionId.Approve)).toBe(hiddenCharactersIn(item.text).length === 0);
        });
        expect(decisionDigests(message.blocks)).toEqual(items.map((item) => commandDigest(item.text)));
      }),
      { numRuns: 150 },
    );
  });

  it('shows them in the reject modal and in an output’s heading', () => {
    expect(JSON.stringify(buildRejectReasonModal(tricky, '{}'))).toContain('⟦U+202E⟧ved-ni⟦U+202C⟧');
    const post = buildCommandOutput(tricky, 'pod "web-1" deleted', 0);
    expect(post.kind).toBe('message');
    if (post.kind === 'message') {
      expect(post.message.text).toContain('⟦U+202E⟧ved-ni⟦U+202C⟧');
      expect(sectionTexts(post.message.blocks)[0]).toContain('Output of `kubectl delete pod web-1 # ⟦U+202E⟧');
    }
  });
});

describe('reject reason modal', () => {
  it('opens for a command that grows past the section limit when escaped, saying it is shortened', () => {
    const command = longCommand(2_800);
    const modal = buildRejectReasonModal(command, '{}');
    expect(validateModalView(modal)).toEqual([]);
    expect(JSON.stringify(modal)).toContain(
      'Shown shortened: the full command (2,800 characters) is in the AI HelpDesk.',
    );
  });

  it('shows a command that fits whole, without a note', () => {
    const modal = buildRejectReasonModal('kubectl delete pod web-1 <!here>', '{}');
    expect(validateModalView(modal)).toEqual([]);
    expect(JSON.stringify(modal)).toContain('kubectl delete pod web-1 &lt;!here&gt;');
    expect(JSON.stringify(modal)).not.toContain('Shown shortened');
  });
});

const escapeHostile = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
