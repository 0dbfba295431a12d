/**
 * The layers of the service, enforced in `npm run lint` (docs/architecture.md explains them).
 * Arrows point down only: runtime/app → listeners → flows → web · blocks · parse · text → domain.
 * Type-only imports count: a layer that names another's types depends on it.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const slack = '^src/slack/';
const notTests = '\\.test\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make a layer depend on itself through another.',
      from: { path: '^src/', pathNot: notTests },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain holds the rules: no Slack, HTTP, database or logging, no adapters.',
      from: { path: '^src/domain/', pathNot: notTests },
      to: {
        path: [
          '^src/(slack|portal|store|observability|http)/',
          '(^|/)node_modules/(@slack|axios|pg|pino|@electric-sql)/',
        ],
      },
    },
    {
      name: 'slack-never-reads-the-store',
      severity: 'error',
      comment: 'The Slack layer reaches data through the domain use-case services only.',
      from: { path: slack, pathNot: notTests },
      to: { path: '^src/store/' },
    },
    {
      name: 'only-the-app-registers-listeners',
      severity: 'error',
      comment: 'Listeners are entry points: nothing below them imports them.',
      from: { path: slack, pathNot: ['^src/slack/(listeners|runtime/app\\.ts)', notTests] },
      to: { path: '^src/slack/listeners/' },
    },
    {
      name: 'listeners-do-not-import-each-other',
      severity: 'error',
      comment: 'A listener that needs another one’s work calls the flow they share.',
      from: { path: '^src/slack/listeners/', pathNot: ['^src/slack/listeners/index\\.ts$', notTests] },
      to: { path: '^src/slack/listeners/', pathNot: '^src/slack/listeners/types\\.ts$' },
    },
    {
      name: 'flows-are-used-by-listeners',
      severity: 'error',
      comment: 'web, blocks, parse and text are the tools flows use; they never call a flow.',
      from: { path: '^src/slack/(web|blocks|parse|text)/', pathNot: notTests },
      to: { path: '^src/slack/(flows|listeners)/' },
    },
    {
      name: 'app-is-the-top',
      severity: 'error',
      comment: 'runtime/app.ts composes the layer; only the service wiring imports it.',
      from: { path: slack, pathNot: notTests },
      to: { path: '^src/slack/runtime/app\\.ts$' },
    },
    {
      name: 'low-rooms-stay-low',
      severity: 'error',
      comment: 'web, blocks, parse and text do not reach into runtime (the request gate, budgets, in-flight work).',
      from: { path: '^src/slack/(web|blocks|parse|text)/', pathNot: notTests },
      to: { path: '^src/slack/runtime/' },
    },
    {
      name: 'blocks-are-pure',
      severity: 'error',
      comment: 'Block Kit is built by pure functions from data: no Web API, portal, store, logger or web room.',
      from: { path: '^src/slack/blocks/', pathNot: notTests },
      to: {
        path: [
          '^src/slack/web/',
          '^src/(portal|store|observability|http)/',
          '^src/(logger|metrics)\\.ts$',
          '(^|/)node_modules/(@slack/web-api|@slack/bolt|axios|pino)/',
        ],
      },
    },
    {
      name: 'text-and-parse-are-pure',
      severity: 'error',
      comment: 'Text and payload parsing are pure: no web room, no I/O libraries.',
      from: { path: '^src/slack/(text|parse)/', pathNot: notTests },
      to: {
        path: ['^src/slack/web/', '^src/(portal|store|http)/', '(^|/)node_modules/(@slack/web-api|@slack/bolt|axios)/'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js'],
    },
  },
};
