import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

/**
 * The layers of docs/architecture.md, as `.dependency-cruiser.cjs` states them (`npm run lint` runs the same rules
 * with the command-line tool). The fixture tree breaks each rule once, so a rule that stops matching fails here.
 */
const require = createRequire(import.meta.url);
const config = require('../../.dependency-cruiser.cjs') as IConfiguration;
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./layer-fixture/', import.meta.url));

async function violationsIn(baseDir: string): Promise<Array<{ rule: string; from: string; to: string }>> {
  const { tsConfig: _tsConfig, ...options } = config.options ?? {};
  const result = await cruise(
    ['src'],
    {
      ...options,
      ...(baseDir === root ? { tsConfig: { fileName: 'tsconfig.json' } } : {}),
      baseDir,
      ruleSet: { forbidden: config.forbidden ?? [] },
      validate: true,
      outputType: 'json',
    },
    {},
    baseDir === root ? { tsConfig: require('../../tsconfig.json') } : {},
  );
  const output = (typeof result.output === 'string' ? JSON.parse(result.output) : result.output) as ICruiseResult;
  return output.summary.violations.map((violation) => ({
    rule: violation.rule.name,
    from: violation.from,
    to: violation.to,
  }));
}

describe('the layers', () => {
  it('hold in src/', async () => {
    expect(await violationsIn(root)).toEqual([]);
  }, 60_000);

  it('each rule catches the fixture file that breaks it', async () => {
    const found = await violationsIn(fixture);
    const by = (rule: string) => found.filter((violation) => violation.rule === rule).map(({ from }) => from);
    expect(by('no-circular').length).toBeGreaterThan(0);
    expect(by('no-circular').every((from) => /^src\/slack\/web\/cycle-[ab]\.ts$/.test(from))).toBe(true);
    expect(by('domain-is-pure').sort()).toEqual(['src/domain/imports-pino.ts', 'src/domain/imports-slack.ts']);
    expect(by('slack-never-reads-the-store')).toEqual(['src/slack/flows/reads-store.ts']);
    expect(by('only-the-app-registers-listeners')).toEqual(['src/slack/flows/calls-listener.ts']);
    expect(by('listeners-do-not-import-each-other')).toEqual(['src/slack/listeners/imports-listener.ts']);
    expect(by('flows-are-used-by-listeners')).toEqual(['src/slack/web/calls-flow.ts']);
    expect(by('app-is-the-top')).toEqual(['src/slack/listeners/imports-app.ts']);
    expect(by('low-rooms-stay-low')).toEqual(['src/slack/text/imports-runtime.ts']);
    expect(by('blocks-are-pure')).toEqual(['src/slack/blocks/imports-web-api.ts']);
    expect(by('text-and-parse-are-pure')).toEqual(['src/slack/parse/imports-web.ts']);
    // Every rule in the configuration is exercised by the fixture.
    expect(new Set(found.map(({ rule }) => rule))).toEqual(new Set((config.forbidden ?? []).map(({ name }) => name)));
  }, 60_000);
});
