import { describe, expect, it } from 'vitest';
import { validateMessageContent } from '../../../test/fakes/slack/index.js';
import { buildChannelDefaultsMessage, describeChannelDefaults } from './channel-defaults.js';
import {
  buildHelpdeskHelp,
  buildHelpdeskStatus,
  buildHelpdeskTickets,
  buildNewTicketThread,
} from './helpdesk-command.js';
import { ActionId } from './ids.js';

const text = (content: { blocks: unknown[] }) => JSON.stringify(content.blocks);

describe('/helpdesk answers', () => {
  it('help names every subcommand; an unknown word is quoted, clipped and cannot close its code span', () => {
    const help = buildHelpdeskHelp();
    for (const name of ['help', 'tickets', 'new', 'status', 'defaults'])
      expect(text(help)).toContain(`/helpdesk ${name}`);
    const unknown = buildHelpdeskHelp(`x\`${'y'.repeat(100)}`);
    expect(text(unknown)).toContain("I do not know `x'yyy");
    expect(text(unknown)).not.toContain('y'.repeat(41));
    expect(validateMessageContent(unknown).ok).toBe(true);
  });

  it('status says each generation or that none was detected, and fits Slack with many portals', () => {
    const few = buildHelpdeskStatus([
      { name: 'acme', ok: true, api: 'tenant' },
      { name: 'hd', ok: true, api: 'workspace' },
      { name: 'gone', ok: false, reason: 'portal.undetected: answers neither probe' },
    ]);
    expect(text(few)).toContain('*acme*: tenant-scoped HelpDesk · ✅ reachable');
    expect(text(few)).toContain('*hd*: workspace-scoped HelpDesk');
    expect(text(few)).toContain('*gone*: HelpDesk not detected · ⚠️ not reachable (portal.undetected');
    expect(few.text).toBe('DuploCloud portals: 2 of 3 portals reachable');
    const many = buildHelpdeskStatus(
      Array.from({ length: 300 }, (_, n) => ({ name: `portal-${n}`, ok: false, reason: 'x'.repeat(300) })),
    );
    expect(many.blocks.length).toBeLessThanOrEqual(50);
    expect(validateMessageContent(many).ok).toBe(true);
    expect(text(many)).toMatch(/…and \d+ more: see `\/readyz`/);
  });

  it('tickets fit Slack however long their titles and names, saying that more are in their threads', () => {
    const long = 'x'.repeat(400);
    const ticket = {
      link: {
        id: '1',
        ticketName: long,
        ticketTitle: long,
        portal: long,
        api: 'tenant' as const,
        spaceName: long,
        agentName: long,
        permissions: [{ id: 'p', name: long }],
        createdAt: new Date(0),
      },
      url: 'https://acme.duplocloud.net/t/1',
      threadUrl: null,
      status: { kind: 'not_kept' as const },
    };
    const answer = buildHelpdeskTickets(
      Array.from({ length: 20 }, () => ticket),
      false,
    );
    expect(validateMessageContent(answer).ok).toBe(true);
    expect(text(answer)).toContain('Older ones are in their threads');
  });

  it('tickets says when there are none or they could not be loaded', () => {
    expect(buildHelpdeskTickets([], false).text).toBe('You have no open tickets.');
    expect(buildHelpdeskTickets(null, false).text).toContain('could not be loaded');
  });

  it('the new thread quotes the request escaped, so it mentions nobody', () => {
    const thread = buildNewTicketThread('UALICE', 'help <!channel> <@UBOB>\nsecond line');
    expect(text(thread)).toContain('&lt;!channel&gt;');
    expect(text(thread)).toContain('\\n>second line');
    expect(thread.text).toBe('<@UALICE> is creating a HelpDesk ticket');
  });
});

describe('/helpdesk defaults', () => {
  const defaults = {
    channel: { teamId: 'T1', channelId: 'C1' },
    portal: 'helpdesk',
    api: 'workspace' as const,
    spaceId: 'w1',
    spaceName: 'platform',
    agentId: 'a1',
    agentName: 'generic-agent',
    permissions: [
      { id: 's1', name: 'full-access' },
      { id: 's2', name: 'read-only' },
    ],
    setBy: 'UALICE',
    setAt: new Date('2026-12-01T09:00:00Z'),
  };

  it('describes them in the words of their HelpDesk', () => {
    expect(describeChannelDefaults(defaults)).toBe(
      '*helpdesk* › workspace *platform* · agent *generic-agent* · scopes *full-access, read-only*',
    );
  });

  it('shows them with who set them and a Change button; none, with the operator’s and a Set button', () => {
    const set = buildChannelDefaultsMessage({ channelId: 'C1', defaults, operator: [] });
    expect(text(set)).toContain('Set by <@UALICE>');
    expect(text(set)).toContain(ActionId.ChangeChannelDefaults);
    expect(text(set)).toContain('Change defaults');
    const none = buildChannelDefaultsMessage({
      channelId: 'C1',
      defaults: null,
      operator: [
        { portal: 'acme', space: 'staging', agent: null },
        { portal: 'other', space: null, agent: null },
      ],
    });
    expect(text(none)).toContain('• *acme*: space *staging*');
    expect(text(none)).not.toContain('*other*');
    expect(text(none)).toContain('Set defaults');
    expect(validateMessageContent(none).ok).toBe(true);
  });
});
