import { describe, expect, it } from 'vitest';
import { portalKey, portalWithKey } from './portal-key.js';

describe('portal keys', () => {
  it('fit an option value and metadata however long the name, and find the portal again', () => {
    const long = 'helpdesk.a-very-long-subdomain-name-for-this-company.eu-west-1.duplocloud.net';
    const portals = [{ name: long }, { name: 'acme' }];
    const key = portalKey(long);
    expect(key).toMatch(/^p[A-Za-z0-9_-]{15}$/);
    expect(portalWithKey(portals, key)).toBe(portals[0]);
    expect(portalWithKey(portals, portalKey('ACME'))).toBe(portals[1]);
    expect(portalWithKey(portals, portalKey('gone'))).toBeUndefined();
    expect(portalWithKey(portals, undefined)).toBeUndefined();
  });
});
