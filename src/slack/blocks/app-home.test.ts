import { describe, expect, it } from 'vitest';
import { validateHomeView } from '../../../test/fakes/slack/block-kit-validator.js';
import { renderBlocksText } from '../../../test/fakes/slack/render.js';
import { type AppHomeInput, buildAppHome, HomeBlockLimit, type HomeTicket } from './app-home.js';
import { ActionId } from './ids.js';

const generatedAt = new Date('2026-11-25T10:15:00Z');

const ticket = (n: number, overrides: Partial<HomeTicket['link']> = {}): HomeTicket => ({
  link: {
    id: String(n),
    ticketName: `dev-2611251015${String(n).padStart(2, '0')}`,
    ticketTitle: `Pods crash in dev (${n})`,
    portal: 'acme',
    api: n === 3 ? 'workspace' : 'tenant',
    spaceName: n === 3 ? 'platform' : 'dev',
    agentName: 'kubernetes-agent',
    permissions: n === 3 ? [{ id: 's-1', name: 'full-access' }] : [{ id: 'dev-deployer', name: 'dev-deployer' }],
    createdAt: new Date('2026-11-25T10:00:00Z'),
    ...overrides,
  },
  url: `https://acme.duplocloud.net/app/ai/service-desk/t-1/tickets/chat/dev-${n}`,
  threadUrl: `https://fake-team.slack.com/archives/C0HELPDESK/p170000000000010${n}`,
  status: n === 2 ? { kind: 'unknown' } : n === 4 ? { kind: 'not_kept' } : { kind: 'status', value: 'open' },
});

const portals = [
  { name: 'acme', ok: true },
  { name: 'beta', ok: false, reason: 'portal.unauthorized: the portal refused the token' },
];

const home = (input: Partial<AppHomeInput> = {}) =>
  buildAppHome({ tickets: [ticket(1), ticket(2)], portals, generatedAt, ...input });

const text = (view: ReturnType<typeof buildAppHome>) => renderBlocksText(view.blocks as never);
const buttons = (view: ReturnType<typeof buildAppHome>) =>
  (view.blocks as { type: string; elements?: unknown[] }[]).flatMap((block) =>
    block.type === 'actions'
      ? (block.elements ?? []).map((element) => {
          const button = element as { action_id?: string; url?: string; text?: { text: string } };
          return { actionId: button.action_id, label: button.text?.text, url: button.url };
        })
      : [],
  );

describe('App Home', () => {
  it('lists open tickets with links to the thread and the web HelpDesk, then the portal status', async () => {
    const view = home();
    expect(validateHomeView(view)).toEqual([]);
    expect(buttons(view)).toEqual([
      { actionId: ActionId.OpenThread, label: 'Open thread', url: ticket(1).threadUrl },
      { actionId: ActionId.OpenHelpdesk, label: 'Open AI HelpDesk', url: ticket(1).url },
      { actionId: ActionId.OpenThread, label: 'Open thread', url: ticket(2).threadUrl },
      { actionId: ActionId.OpenHelpdesk, label: 'Open AI HelpDesk', url: ticket(2).url },
    ]);
    const rendered = text(view);
    expect(rendered).toContain('Your open tickets');
    expect(rendered).toContain('Pods crash in dev (1)');
    expect(rendered).toContain('dev-261125101501');
    expect(rendered).toMatch(/dev-261125101501.*· open$/m);
    expect(rendered).toMatch(/dev-261125101502.*· status not known right now$/m);
    expect(rendered).toMatch(/✅ \*?acme\*?: reachable/);
    expect(rendered).toMatch(/⚠️ \*?beta\*?: not reachable \(portal\.unauthorized/);
    expect(rendered).toContain('1 of 2 portals reachable');
    await expect(JSON.stringify(view, null, 2)).toMatchFileSnapshot('./__snapshots__/app-home.json');
  });

  it('names each ticket’s space and permissions as its HelpDesk does, and leaves out a status it does not keep', () => {
    const rendered = text(home({ tickets: [ticket(3), ticket(4)] }));
    expect(rendered).toContain('Workspace');
    expect(rendered).toContain('full-access');
    expect(rendered).toContain('Scopes');
    expect(rendered).toMatch(/dev-261125101504` · opened [^·]*$/m);
  });

  it('says which HelpDesk each reachable portal speaks', () => {
    const rendered = text(home({ portals: [{ name: 'acme', ok: true, api: 'workspace' }] }));
    expect(rendered).toMatch(/acme\*?: reachable, workspace-scoped HelpDesk/);
  });

  it('explains an empty list, a list that could not be loaded, and no portals', () => {
    const empty = home({ tickets: [], portals: [] });
    expect(validateHomeView(empty)).toEqual([]);
    expect(text(empty)).toContain('You have no open tickets');
    expect(text(empty)).toContain('No DuploCloud portal is configured');
    expect(buttons(empty)).toEqual([]);
    expect(text(home({ tickets: null }))).toContain('could not be loaded');
  });

  it('escapes untrusted titles, names and reasons', () => {
    const view = home({
      tickets: [
        ticket(1, { ticketTitle: 'Help <!channel> <@U123> & <https://evil.example|click>', agentName: '<!here>' }),
      ],
      portals: [{ name: 'b<eta>', ok: false, reason: '<!everyone> is down' }],
    });
    const json = JSON.stringify(view);
    for (const injected of ['<!channel>', '<@U123>', '<https://evil', '<!here>', '<!everyone>', 'b<eta>']) {
      expect(json).not.toContain(injected);
    }
    expect(json).toContain('&lt;!channel&gt;');
  });

  it('leaves out a link it does not have', () => {
    const view = home({
      tickets: [
        { ...ticket(1), threadUrl: null },
        { ...ticket(2), url: null, threadUrl: null },
      ],
    });
    expect(validateHomeView(view)).toEqual([]);
    expect(buttons(view).map((button) => button.label)).toEqual(['Open AI HelpDesk']);
    expect(text(view)).toContain('No link is available for this ticket');
  });

  it('stays within 100 blocks, saying how many tickets are not shown', () => {
    const many = Array.from({ length: 60 }, (_, index) => ticket(index));
    const manyPortals = Array.from({ length: 25 }, (_, index) => ({ name: `portal-${index}`, ok: index % 2 === 0 }));
    const view = home({ tickets: many, portals: manyPortals });
    expect(view.blocks.length).toBeLessThanOrEqual(HomeBlockLimit);
    expect(validateHomeView(view)).toEqual([]);
    const shown = buttons(view).filter((button) => button.actionId === ActionId.OpenThread).length;
    expect(shown).toBeGreaterThan(40);
    expect(text(view)).toContain(`…and ${60 - shown} more`);
    expect(text(view)).toContain('portal-24');

    const capped = home({ tickets: [ticket(1), ticket(2)], mayHaveMore: true });
    expect(text(capped)).toContain('Your 2 most recent tickets');
  });
});
