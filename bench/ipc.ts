import { z } from 'zod';

/**
 * The little protocol between the benchmark and the processes it measures (the service, the bare Bolt app). The
 * system under test runs in its own process so its RSS and CPU are its own, not the load generator's.
 */

/** Links to insert straight into the service's store (seeding, not the code under test). */
export const SeedLinks = z.object({
  teamId: z.string(),
  portal: z.string(),
  spaceId: z.string(),
  spaceName: z.string(),
  agentName: z.string(),
  agentId: z.string(),
  /** The one identity of a tenant-HelpDesk link. */
  identity: z.string(),
  /** The HelpDesk generation of the tickets; default `tenant`. */
  api: z.enum(['tenant', 'workspace']).optional(),
  /** The link's permissions (a workspace link's scopes); default the one `identity`. */
  permissions: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
  createdBy: z.string(),
  threads: z.array(z.object({ channelId: z.string(), threadTs: z.string(), ticketName: z.string() })),
});
export type SeedLinks = z.infer<typeof SeedLinks>;

export const ChildRequest = z.discriminatedUnion('kind', [
  z.object({ id: z.number(), kind: z.literal('rss') }),
  z.object({ id: z.number(), kind: z.literal('idle'), timeoutMs: z.number() }),
  z.object({ id: z.number(), kind: z.literal('seed-links'), links: SeedLinks }),
  z.object({ id: z.number(), kind: z.literal('stop') }),
  // The embedded database engine's own memory (bytes, a part of the RSS); 0 when the process has none.
  z.object({ id: z.number(), kind: z.literal('engine-memory') }),
  z.object({ id: z.number(), kind: z.literal('cpu') }),
  z.object({ id: z.number(), kind: z.literal('clock') }),
]);
export type ChildRequest = z.infer<typeof ChildRequest>;

/** A request without its id, as the parent asks it. */
export type ChildAsk =
  | { readonly kind: 'rss' }
  | { readonly kind: 'idle'; readonly timeoutMs: number }
  | { readonly kind: 'seed-links'; readonly links: SeedLinks }
  | { readonly kind: 'stop' }
  | { readonly kind: 'engine-memory' }
  /** CPU time the process used so far (user + system), in microseconds (process.cpuUsage). */
  | { readonly kind: 'cpu' }
  /** The process's monotonic clock in microseconds: the clock a --cpu-prof profile's sample times are on. */
  | { readonly kind: 'clock' };

export const ChildMessage = z.union([
  z.object({ kind: z.literal('ready'), url: z.string() }),
  z.object({ kind: z.literal('reply'), id: z.number(), ok: z.literal(true), value: z.number().or(z.boolean()) }),
  z.object({ kind: z.literal('reply'), id: z.number(), ok: z.literal(false), error: z.string() }),
]);
export type ChildMessage = z.infer<typeof ChildMessage>;

/**
 * Serves the parent's requests in a child process; `handle` answers one request (a number or boolean). After the
 * answer to `stop` is delivered the process exits; so it does when the parent goes away, after `handle(stop)`.
 */
export function serveParent(handle: (request: ChildRequest) => Promise<number | boolean>): void {
  const answer = (message: ChildMessage, exitAfter: boolean) => {
    if (!process.connected) return exitAfter ? process.exit(0) : undefined;
    process.send?.(message, undefined, {}, () => {
      if (exitAfter) process.exit(0);
    });
  };
  process.on('message', (raw: unknown) => {
    const parsed = ChildRequest.safeParse(raw);
    if (!parsed.success) return;
    const { id, kind } = parsed.data;
    handle(parsed.data).then(
      (value) => answer({ kind: 'reply', id, ok: true, value }, kind === 'stop'),
      (error: unknown) =>
        answer(
          { kind: 'reply', id, ok: false, error: error instanceof Error ? error.message : String(error) },
          kind === 'stop',
        ),
    );
  });
  process.once('disconnect', () => {
    handle({ id: -1, kind: 'stop' }).finally(() => process.exit(0));
  });
}
