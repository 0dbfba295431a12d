import { createHash } from 'node:crypto';

/**
 * What Slack forms carry for a portal instead of its name: a short key that fits any option value (≤150) and any
 * private_metadata field, however long the configured name (a portal named after a 74-character host name must not
 * make its form "out of date"). Stable across restarts and instances: derived from the name alone.
 */
export const portalKey = (name: string): string =>
  `p${createHash('sha256').update(name.trim().toLowerCase()).digest('base64url').slice(0, 15)}`;

/** The configured portal whose key this is; undefined for a key no portal has (a form from an older config). */
export const portalWithKey = <T extends { readonly name: string }>(portals: readonly T[], key: string | undefined) =>
  key === undefined ? undefined : portals.find((portal) => portalKey(portal.name) === key);
