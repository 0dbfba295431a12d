import type { AccessService } from './access.js';
import type { ChannelDefaults, ChannelRef } from './channel-defaults.js';
import { type Actor, describePermissions } from './helpdesk.js';
import type { Clock, PortalDirectory, TicketStore } from './ports.js';

/** A person sets a channel's defaults: the ids they chose in the form. */
export interface SetChannelDefaultsRequest {
  readonly channel: ChannelRef;
  readonly actor: Actor;
  readonly portal: string;
  readonly spaceId: string;
  readonly agentId: string;
  readonly permissionIds: readonly string[];
}

/** The audit action of a change to a channel's defaults (its entry has no ticket: `ticketName` is empty). */
export const ChannelDefaultsSetAction = 'channel_defaults.set';
/** The audit action of clearing a channel's defaults. */
export const ChannelDefaultsClearedAction = 'channel_defaults.cleared';

/**
 * A channel's defaults for Create Ticket (/helpdesk defaults). Setting them is a change like moving a ticket, so it
 * needs write access to the space (the tenant's read-write access, or an approver of a workspace HelpDesk:
 * access.ts), and every id must exist in the portal now. Reading them needs nothing: Create Ticket re-checks each id
 * for the person who submits.
 */
export interface ChannelDefaultsService {
  get(channel: ChannelRef): Promise<ChannelDefaults | null>;
  /** The channels whose defaults this person set last, newest first. */
  setBy(teamId: string, slackUserId: string, limit: number): Promise<ChannelDefaults[]>;
  /** Checks access and existence (fresh), keeps the defaults and audits the change. */
  set(request: SetChannelDefaultsRequest): Promise<ChannelDefaults>;
  /**
   * Removes the channel's defaults (Create Ticket then starts from the operator's): the same write access to the
   * space they name as setting them needs. The ones removed, or null when there were none (nothing audited).
   */
  clear(request: { readonly channel: ChannelRef; readonly actor: Actor }): Promise<ChannelDefaults | null>;
}

export function createChannelDefaultsService({
  store,
  portals,
  access,
  clock,
}: {
  store: Pick<
    TicketStore,
    'channelDefaults' | 'setChannelDefaults' | 'clearChannelDefaults' | 'channelDefaultsSetBy' | 'appendAudit'
  >;
  portals: PortalDirectory;
  access: AccessService;
  clock: Clock;
}): ChannelDefaultsService {
  return {
    get: (channel) => store.channelDefaults(channel),

    setBy: (teamId, slackUserId, limit) => store.channelDefaultsSetBy(teamId, slackUserId, limit),

    async set(request) {
      const portal = portals.get(request.portal);
      const space = await access.requireSpace(portal.name, request.actor, request.spaceId, {
        write: true,
        fresh: true,
      });
      const [api, agent, permissions] = await Promise.all([
        access.helpdesk(portal.name),
        access.requireAgent(portal.name, space.id, request.agentId),
        access.requirePermissions(portal.name, space.id, request.permissionIds),
      ]);
      const at = clock.now();
      const defaults: ChannelDefaults = {
        channel: request.channel,
        portal: portal.name,
        api,
        spaceId: space.id,
        spaceName: space.name,
        agentId: agent.id,
        agentName: agent.label,
        permissions,
        setBy: request.actor.slackUserId,
        setAt: at,
      };
      await store.setChannelDefaults(defaults);
      await store.appendAudit({
        at,
        actor: request.actor.slackUserId,
        action: ChannelDefaultsSetAction,
        portal: portal.name,
        spaceId: space.id,
        ticketName: '',
        permissions: describePermissions(permissions),
        detail: {
          teamId: request.channel.teamId,
          channelId: request.channel.channelId,
          api,
          agentId: agent.id,
        },
      });
      return defaults;
    },

    async clear({ channel, actor }) {
      const current = await store.channelDefaults(channel);
      if (!current) return null;
      // Defaults of a portal no longer configured preselect nothing: anyone in the channel may clear them.
      if (portals.list().some((portal) => portal.name === current.portal)) {
        await access.requireSpace(current.portal, actor, current.spaceId, { write: true, fresh: true });
      }
      const cleared = await store.clearChannelDefaults(channel);
      if (!cleared) return null;
      await store.appendAudit({
        at: clock.now(),
        actor: actor.slackUserId,
        action: ChannelDefaultsClearedAction,
        portal: cleared.portal,
        spaceId: cleared.spaceId,
        ticketName: '',
        permissions: describePermissions(cleared.permissions),
        detail: { teamId: channel.teamId, channelId: channel.channelId, api: cleared.api, agentId: cleared.agentId },
      });
      return cleared;
    },
  };
}
