import { DomainError } from '../domain/errors.js';
import type { PortalClient, PortalDirectory } from '../domain/ports.js';

/** Every configured portal, found by name regardless of case (names are unique case-insensitively in config). */
export function createPortalDirectory(clients: readonly PortalClient[]): PortalDirectory {
  const all = [...clients];
  const byName = new Map<string, PortalClient>();
  for (const client of all) {
    const key = client.name.toLowerCase();
    if (byName.has(key)) throw new DomainError('input.invalid', `Portal "${client.name}" is configured twice`);
    byName.set(key, client);
  }
  return {
    list: () => all,
    get: (name) => {
      const client = byName.get(name.trim().toLowerCase());
      if (!client) throw new DomainError('input.invalid', `Unknown portal "${name}"`, { portal: name });
      return client;
    },
  };
}
