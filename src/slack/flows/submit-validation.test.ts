import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import type { SlackDeps } from './deps.js';
import { checkSubmission, type ViewAck } from './submit-validation.js';

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
