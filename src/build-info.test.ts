import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildInfo } from './build-info.js';
import { createMetrics } from './metrics.js';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('build info', () => {
  it("is the service's package.json version and the Node it runs on", () => {
    expect(buildInfo()).toEqual({ version: packageVersion, node: process.version });
  });

  it('is exported as helpdesk_build_info{version,node} 1', async () => {
    const metrics = createMetrics({ version: '9.9.9', node: 'v24.22.3' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('helpdesk_build_info{version="9.9.9",node="v24.22.3"} 1');
    expect(await createMetrics().registry.metrics()).toContain(
      `helpdesk_build_info{version="${packageVersion}",node="${process.version}"} 1`,
    );
  });
});
