import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { ActionId, BlockId } from '../blocks/ids.js';
import { type FormMetadata, serializeFormMetadata } from '../parse/form-metadata.js';
import { portalKey } from '../parse/portal-key.js';
import type { SlackDeps } from './deps.js';
import { checkSubmission, readTicketForm, type ViewAck } from './submit-validation.js';

const thread = { teamId: 'T1', channelId: 'C1', threadTs: '1.000001' };
const log = pino({ level: 'silent' });

function scene(submitBudgetMs = 50) {
  const acks: unknown[] = [];
  const posted: string[] = [];
  const ephemerals: string[] = [];
  const deps = {
    submitBudgetMs,
    poster: {
      post: async (_thread: unknown, content: { text: string }) => {
        posted.push(content.text);
        return '2.000001';
      },
      ephemeral: async (_thread: unknown, _user: string, content: { text: string }) => {
        ephemerals.push(content.text);
      },
    },
  } as unknown as SlackDeps;
  const ack: ViewAck = async (response) => {
    acks.push(response ?? 'closed');
  };
  const check = <T extends object>(
    validation: Promise<T>,
    refuse?: (value: T) => { block: string; message: string } | null,
  ) =>
    checkSubmission(deps, log, {
      validation,
      ack,
      receivedAt: undefined,
      blockFor: (error) => `block-of-${error.code}`,
      ...(refuse ? { refuse } : {}),
      thread,
      userId: 'UALICE',
      what: 'Creating the ticket',
    });
  return { acks, posted, ephemerals, check };
}

const later = <T>(ms: number, work: () => T): Promise<T> =>
  new Promise((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(work());
      } catch (error) {
        reject(error);
      }
    }, ms),
  );

describe('checkSubmission', () => {
  it('closes the form and gives what the check gave in time', async () => {
    const { acks, check } = scene();
    expect(await check(Promise.resolve({ ok: 1 }))).toEqual({ ok: 1 });
    expect(acks).toEqual(['closed']);
  });

  it('shows a refusal that comes in time beside its input, and goes no further', async () => {
    const { acks, posted, check } = scene();
    const refused = new DomainError('agent.unknown', 'no such agent');
    expect(await check(Promise.reject(refused))).toBeNull();
    expect(acks).toEqual([{ response_action: 'errors', errors: { 'block-of-agent.unknown': expect.any(String) } }]);
    expect(posted).toEqual([]);
  });

  it('refuses inline a result the caller refuses (nothing changed)', async () => {
    const { acks, check } = scene();
    const unchanged = await check(Promise.resolve({ kind: 'unchanged' }), (value) =>
      value.kind === 'unchanged' ? { block: 'portal', message: 'Nothing changed.' } : null,
    );
    expect(unchanged).toBeNull();
    expect(acks).toEqual([{ response_action: 'errors', errors: { portal: 'Nothing changed.' } }]);
  });

  it('past the budget closes the form at once and waits for the check', async () => {
    const { acks, check } = scene(10);
    expect(await check(later(60, () => ({ ok: 2 })))).toEqual({ ok: 2 });
    expect(acks).toEqual(['closed']);
  });

  it('reports in the thread a refusal that came after the form was closed', async () => {
    const { acks, posted, check } = scene(10);
    const result = await check(
      later(60, () => {
        throw new Error('portal down');
      }),
    );
    expect(result).toBeNull();
    expect(acks).toEqual(['closed']);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatch(/^Creating the ticket failed/);
  });

  it('reports an unexpected error in the thread even when it came in time', async () => {
    const { acks, posted, check } = scene();
    expect(await check(Promise.reject(new Error('boom')))).toBeNull();
    expect(acks).toEqual(['closed']);
    expect(posted[0]).toMatch(/^Creating the ticket failed/);
  });
});

describe('readTicketForm', () => {
  const acme = { name: 'acme' };
  const deps = { portals: { list: () => [acme] } } as unknown as SlackDeps;
  const metadata: FormMetadata = {
    v: 2,
    mode: 'update',
    thread,
    linkId: '7',
    portal: portalKey('acme'),
    spaceId: 't1',
  };
  const picked = (actionId: string, value: string) => ({ [actionId]: { selected_option: { value } } });
  const state = (portal: string) => ({
    [BlockId.Portal]: picked(ActionId.SelectPortal, portal),
    [BlockId.Tenant]: picked(ActionId.SelectTenant, 't1'),
    [BlockId.Agent]: picked(ActionId.SelectAgent, 'a1'),
    [BlockId.Identity]: picked(ActionId.SelectIdentity, 'dev-deployer'),
  });
  const isUpdate = (candidate: FormMetadata): candidate is FormMetadata => candidate.mode === 'update';

  async function read(view: { private_metadata: string; state?: { values: unknown } }) {
    const acks: unknown[] = [];
    const form = await readTicketForm(deps, view, async (response) => void acks.push(response ?? 'closed'), {
      accepts: isUpdate,
      reopen: 'open Update Context',
    });
    return { form, acks };
  }

  it('gives back a complete form with its portal, and acks nothing', async () => {
    const { form, acks } = await read({
      private_metadata: serializeFormMetadata(metadata),
      state: { values: state(portalKey('acme')) },
    });
    expect(acks).toEqual([]);
    expect(form?.portal).toBe(acme);
    expect(form?.complete).toEqual({
      portalKey: portalKey('acme'),
      spaceId: 't1',
      agentId: 'a1',
      permissionIds: ['dev-deployer'],
    });
    expect(form?.where('agent')).toBe(BlockId.Agent);
  });

  it('answers a form it cannot use in the ack, beside the field or the portal, and gives back nothing', async () => {
    const outOfDate = {
      response_action: 'errors',
      errors: { [BlockId.Portal]: 'This form is out of date. Close it and open Update Context again.' },
    };
    // Metadata that does not parse, that the caller does not accept, and a portal no longer configured.
    for (const view of [
      { private_metadata: 'nope', state: { values: state(portalKey('acme')) } },
      {
        private_metadata: serializeFormMetadata({ ...metadata, mode: 'create' }),
        state: { values: state(portalKey('acme')) },
      },
      { private_metadata: serializeFormMetadata(metadata), state: { values: state(portalKey('gone')) } },
    ]) {
      expect(await read(view)).toEqual({ form: null, acks: [outOfDate] });
    }
    const { [BlockId.Agent]: _agent, ...noAgent } = state(portalKey('acme'));
    const incomplete = await read({ private_metadata: serializeFormMetadata(metadata), state: { values: noAgent } });
    expect(incomplete.form).toBeNull();
    expect(incomplete.acks).toHaveLength(1);
    expect(JSON.stringify(incomplete.acks[0])).toContain('agent');
  });
});
