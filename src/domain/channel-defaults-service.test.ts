import { describe, expect, it } from 'vitest';
import type { AccessService } from './access.js';
import type { ChannelDefaults } from './channel-defaults.js';
import {
  ChannelDefaultsClearedAction,
  ChannelDefaultsSetAction,
  createChannelDefaultsService,
} from './channel-defaults-service.js';
import { DomainError } from './errors.js';
import type { AuditEntry, PortalClient, PortalDirectory } from './ports.js';

const channel = { teamId: 'T1', channelId: 'C1' };
const actor = { slackUserId: 'UALICE', teamId: 'T1', email: 'alice@example.com' };
const at = new Date('2026-12-01T09:00:00Z');

/** The service over an in-memory store and an access service that answers as told (access.ts has its own tests). */
function scene(refuse: Partial<Record<'space' | 'agent' | 'permissions', DomainError>> = {}) {
  const kept: ChannelDefaults[] = [];
  const audit: AuditEntry[] = [];
  const writes: boolean[] = [];
  const access = {
    helpdesk: async () => 'tenant',
    requireSpace: async (_portal: string, _actor: unknown, spaceId: string, options: { write: boolean }) => {
      writes.push(options.write);
      if (refuse.space) throw refuse.space;
      return { id: spaceId, name: 'dev', readOnly: false };
    },
    requireAgent: async (_portal: string, _space: string, agentId: string) => {
      if (refuse.agent) throw refuse.agent;
      return { id: agentId, name: 'kubernetes-agent', label: 'Kubernetes Agent' };
    },
    requirePermissions: async (_portal: string, _space: string, ids: readonly string[]) => {
      if (refuse.permissions) throw refuse.permissions;
      return ids.map((id) => ({ id, name: id }));
    },
  } as unknown as AccessService;
  const portals: PortalDirectory = {
    list: () => [{ name: 'acme' } as PortalClient],
    get: (name) => {
      if (name !== 'acme') throw new DomainError('input.invalid', `no portal ${name}`);
      return { name } as PortalClient;
    },
  };
  const service = createChannelDefaultsService({
    store: {
      channelDefaults: async () => kept.at(-1) ?? null,
      setChannelDefaults: async (defaults) => {
        kept.push(defaults);
      },
      clearChannelDefaults: async () => kept.splice(0).at(-1) ?? null,
      channelDefaultsSetBy: async () => kept,
      appendAudit: async (entry) => {
        audit.push(entry);
      },
    },
    portals,
    access,
    clock: { now: () => at },
  });
  return { service, kept, audit, writes };
}

const request = { channel, actor, portal: 'acme', spaceId: 'dev', agentId: 'k8s-1', permissionIds: ['dev-deployer'] };

describe('channel defaults', () => {
  it('checks write access (fresh), keeps the names the portal gives, and audits the change', async () => {
    const { service, kept, audit, writes } = scene();
    const defaults = await service.set(request);
    expect(writes).toEqual([true]);
    expect(defaults).toEqual({
      channel,
      portal: 'acme',
      api: 'tenant',
      spaceId: 'dev',
      spaceName: 'dev',
      agentId: 'k8s-1',
      agentName: 'Kubernetes Agent',
      permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
      setBy: 'UALICE',
      setAt: at,
    });
    expect(kept).toEqual([defaults]);
    expect(audit).toEqual([
      {
        at,
        actor: 'UALICE',
        action: ChannelDefaultsSetAction,
        portal: 'acme',
        spaceId: 'dev',
        ticketName: '',
        permissions: 'dev-deployer',
        detail: { teamId: 'T1', channelId: 'C1', api: 'tenant', agentId: 'k8s-1' },
      },
    ]);
  });

  it.each([
    ['space', new DomainError('access.read_only', 'read-only')],
    ['agent', new DomainError('agent.unknown', 'gone')],
    ['permissions', new DomainError('access.identity_not_allowed', 'not in the list')],
  ] as const)('keeps and audits nothing when the %s is refused', async (what, error) => {
    const { service, kept, audit } = scene({ [what]: error });
    await expect(service.set(request)).rejects.toBe(error);
    expect(kept).toEqual([]);
    expect(audit).toEqual([]);
  });

  it('refuses a portal that is not configured', async () => {
    const { service, kept } = scene();
    await expect(service.set({ ...request, portal: 'elsewhere' })).rejects.toMatchObject({ code: 'input.invalid' });
    expect(kept).toEqual([]);
  });

  it('clears them with the write access setting them needs, audits it, and does nothing when there are none', async () => {
    const { service, kept, audit, writes } = scene();
    expect(await service.clear({ channel, actor })).toBeNull();
    expect(writes).toEqual([]);
    await service.set(request);
    const cleared = await service.clear({ channel, actor });
    expect(cleared).toMatchObject({ portal: 'acme', spaceId: 'dev' });
    expect(kept).toEqual([]);
    expect(writes).toEqual([true, true]);
    expect(audit.map((entry) => entry.action)).toEqual([ChannelDefaultsSetAction, ChannelDefaultsClearedAction]);
  });

  it('keeps the defaults of someone without write access to their space', async () => {
    const refusal = new DomainError('access.read_only', 'read-only');
    const { service, kept, audit } = scene();
    await service.set(request);
    const readOnly = scene({ space: refusal });
    readOnly.kept.push(...kept);
    await expect(readOnly.service.clear({ channel, actor })).rejects.toBe(refusal);
    expect(readOnly.kept).toHaveLength(1);
    expect(readOnly.audit).toEqual([]);
    expect(audit).toHaveLength(1);
  });
});
