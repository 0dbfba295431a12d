import type { ThreadRef } from '../../src/domain/thread-link.js';
import { ActionId, BlockId, TicketMenuValue } from '../../src/slack/blocks/ids.js';
import { portalKey } from '../../src/slack/parse/portal-key.js';
import {
  SeedAgents,
  SeedIdentities,
  SeedScopes,
  SeedTenants,
  SeedWorkspaceAgents,
  SeedWorkspaces,
} from '../fakes/portal/index.js';
import type { FakeSlackUser, SlackView } from '../fakes/slack/index.js';
import { Channel, type Harness, WorkspacePortalName } from './harness.js';

/** What a person picks in a ticket form: the portal (by name; the form carries its key), space, agent, permissions. */
export interface TicketChoice {
  readonly portal?: string;
  /** The tenant or workspace. */
  readonly spaceId: string;
  readonly agentId: string;
  /** One identity (tenant HelpDesk) or scope ids (workspace HelpDesk). */
  readonly permissionIds: readonly string[];
}

/** The seed's dev tenant with the kubernetes agent, as dev-deployer. */
export const devChoice: TicketChoice = {
  spaceId: SeedTenants.dev.id,
  agentId: SeedAgents.kubernetes.instanceId,
  permissionIds: [SeedIdentities.dev[0]],
};

/** The workspace portal's platform workspace with its non-streaming agent and the full-access scope. */
export const platformChoice: TicketChoice = {
  portal: WorkspacePortalName,
  spaceId: SeedWorkspaces.platform.id,
  agentId: SeedWorkspaceAgents.generic.id,
  permissionIds: [SeedScopes.fullAccess.id],
};

type Block = { block_id?: string };

/** Whether the view asks for a workspace (workspace HelpDesk) rather than a tenant. */
export const asksForWorkspace = (view: SlackView | undefined): boolean =>
  ((view?.blocks ?? []) as Block[]).some((block) => block.block_id?.split(':')[0] === BlockId.Workspace);

/** The Create Ticket modal a person opened from the bot's prompt in a thread. */
export async function openCreateTicket(h: Harness, user: FakeSlackUser, threadTs: string): Promise<string> {
  const prompt = h.botMessage(threadTs, /Create Ticket/);
  const before = new Set(h.slack.openViews(user.id).map((view) => view.id));
  await h.send(
    h.slack.clickButton({ user: user.id, channel: Channel, messageTs: prompt.ts, actionId: ActionId.OpenCreateTicket }),
    'interaction',
  );
  const view = h.slack.openViews(user.id).find((candidate) => !before.has(candidate.id));
  if (!view) throw new Error('the Create Ticket modal did not open');
  return String(view.id);
}

export async function chooseInView(
  h: Harness,
  user: FakeSlackUser,
  viewId: string,
  actionId: string,
  value: string | readonly string[],
) {
  const payload = h.slack.selectInView({ user: user.id, viewId, actionId, value: value as string | string[] });
  if (payload) await h.send(payload, 'interaction');
}

/** Picks a portal by name in an open ticket form. */
export const choosePortal = (h: Harness, user: FakeSlackUser, viewId: string, portal: string) =>
  chooseInView(h, user, viewId, ActionId.SelectPortal, portalKey(portal));

/** Picks the tenant or workspace, whichever the form asks for. */
export const chooseSpace = (h: Harness, user: FakeSlackUser, viewId: string, spaceId: string) =>
  chooseInView(
    h,
    user,
    viewId,
    asksForWorkspace(h.slack.view(viewId)) ? ActionId.SelectWorkspace : ActionId.SelectTenant,
    spaceId,
  );

/** The submitted values for an agent and permissions, with the select the form shows for them. */
export const agentAndPermissions = (
  view: SlackView | undefined,
  choice: Pick<TicketChoice, 'agentId' | 'permissionIds'>,
): Record<string, string | string[]> =>
  asksForWorkspace(view)
    ? { [ActionId.SelectAgent]: choice.agentId, [ActionId.SelectScopes]: [...choice.permissionIds] }
    : { [ActionId.SelectAgent]: choice.agentId, [ActionId.SelectIdentity]: choice.permissionIds[0] ?? '' };

/** Submits a view and applies the app's answer to it, as Slack's client does. */
export async function submit(
  h: Harness,
  user: FakeSlackUser,
  viewId: string,
  values: Record<string, string | readonly string[]>,
) {
  const payload = h.slack.submitView({ user: user.id, viewId, values: values as Record<string, string | string[]> });
  const response = await h.send(payload, 'interaction');
  return h.slack.applyViewResponse(viewId, response.body === '' ? undefined : JSON.parse(response.body));
}

/** Mention → Create Ticket → fill the modal → submit. Returns the thread and the answer Slack applied. */
export async function createTicketThroughSlack(
  h: Harness,
  user: FakeSlackUser,
  request: string,
  choice: TicketChoice,
): Promise<{ threadTs: string; outcome: ReturnType<Harness['slack']['applyViewResponse']> }> {
  const { ts } = await h.mention(user, request);
  const viewId = await openCreateTicket(h, user, ts);
  if (choice.portal) await choosePortal(h, user, viewId, choice.portal);
  await chooseSpace(h, user, viewId, choice.spaceId);
  const outcome = await submit(h, user, viewId, agentAndPermissions(h.slack.view(viewId), choice));
  return { threadTs: ts, outcome };
}

/** Opens Update Context from the thread's ticket card. */
export async function openUpdateContext(h: Harness, user: FakeSlackUser, threadTs: string): Promise<string> {
  const card = h.botMessage(threadTs, /Update Context/);
  const before = new Set(h.slack.openViews(user.id).map((view) => view.id));
  await h.send(
    h.slack.selectOption({
      user: user.id,
      channel: Channel,
      messageTs: card.ts,
      actionId: ActionId.TicketMenu,
      value: TicketMenuValue.UpdateContext,
    }),
    'interaction',
  );
  const view = h.slack.openViews(user.id).find((candidate) => !before.has(candidate.id));
  if (!view) throw new Error('the Update Context modal did not open');
  return String(view.id);
}

/** Creates a ticket for a new thread through Slack, as `user`; returns the thread and its active link. */
export async function linkedThread(h: Harness, user: FakeSlackUser, request: string, choice: TicketChoice) {
  const { threadTs } = await createTicketThroughSlack(h, user, request, choice);
  const thread: ThreadRef = { teamId: h.slack.teamId, channelId: Channel, threadTs };
  const link = await h.service.store.activeLink(thread);
  if (!link) throw new Error(`no ticket was linked to thread ${threadTs}: ${h.transcript(threadTs).join(' | ')}`);
  return { threadTs, thread, link };
}
