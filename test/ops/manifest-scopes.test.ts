import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { productionSources, readRepoFile, withoutComments } from './repo-files.js';

/**
 * The manifest's bot scopes must be exactly what the code needs: every Web API method called from src/ has its scope,
 * and every scope is needed by a call, a subscribed event or a shortcut. Computed from src/ at test time, so it stays
 * honest as code lands. A call to a method missing from the table below fails the test until someone looks up the
 * method's scope (docs.slack.dev/reference/methods/<method>) and adds it.
 */

/** A requirement is met by any one of its scopes; a method may have several requirements. */
type Requirement = readonly string[];

const methodScopes: Record<string, readonly Requirement[]> = {
  'chat.postMessage': [['chat:write']],
  'chat.update': [['chat:write']],
  'chat.postEphemeral': [['chat:write']],
  'chat.delete': [['chat:write']],
  'chat.startStream': [['chat:write']],
  'chat.appendStream': [['chat:write']],
  'chat.stopStream': [['chat:write']],
  'chat.getPermalink': [],
  'users.info': [['users:read']],
  'users.lookupByEmail': [['users:read.email']],
  // Threads live in public and private channels alike.
  'conversations.replies': [['channels:history'], ['groups:history']],
  'conversations.history': [['channels:history'], ['groups:history']],
  'conversations.info': [['channels:read'], ['groups:read']],
  'conversations.join': [['channels:join']],
  'views.open': [],
  'views.update': [],
  'views.push': [],
  'views.publish': [],
  // Since 2026-03-05 either scope works; assistant:write is being retired (docs/slack-platform.md §8).
  'assistant.threads.setStatus': [['chat:write', 'assistant:write']],
  // The assistant pane's own methods still need assistant:write (docs/slack-platform.md §10).
  'assistant.threads.setSuggestedPrompts': [['assistant:write']],
  'assistant.threads.setTitle': [['assistant:write']],
  'files.uploadV2': [['files:write']],
  'files.getUploadURLExternal': [['files:write']],
  'files.completeUploadExternal': [['files:write']],
  'reactions.add': [['reactions:write']],
  'reactions.remove': [['reactions:write']],
  'team.info': [['team:read']],
  'bots.info': [['users:read']],
  'auth.test': [],
  // Socket Mode: called with the app-level token (xapp-, scope connections:write), not a bot scope.
  'apps.connections.open': [],
};

/** users.info returns profile.email only with users:read.email: needed when a caller reads the email. */
const emailScope: Requirement = ['users:read.email'];

const eventScopes: Record<string, readonly Requirement[]> = {
  app_mention: [['app_mentions:read']],
  'message.channels': [['channels:history']],
  'message.groups': [['groups:history']],
  'message.im': [['im:history']],
  'message.mpim': [['mpim:history']],
  // The assistant pane's events need no scope of their own (docs.slack.dev/reference/events/assistant_thread_started).
  assistant_thread_started: [],
  assistant_thread_context_changed: [],
  channel_shared: [['channels:read', 'groups:read']],
  channel_unshared: [['channels:read', 'groups:read']],
};

const SlackNamespaces = [
  'admin',
  'apps',
  'assistant',
  'auth',
  'bookmarks',
  'bots',
  'canvases',
  'chat',
  'conversations',
  'dnd',
  'emoji',
  'files',
  'pins',
  'reactions',
  'reminders',
  'search',
  'team',
  'usergroups',
  'users',
  'views',
];

// `<something>client.<namespace>.<method>[.<method>](`: Web API clients are named `client` or `…Client` here (Bolt's
// listener argument, app.client, a separate history client). Whitespace and newlines may split the chain.
const namespaceCall = new RegExp(
  String.raw`\b\w*[cC]lient\s*\.\s*(${SlackNamespaces.join('|')})\s*\.\s*([A-Za-z]+)(?:\s*\.\s*([A-Za-z]+))?\s*\(`,
  'g',
);
const stringCall = /\.\s*(?:apiCall|paginate)\s*\(\s*['"`]([a-z]+(?:\.[A-Za-z]+)+)['"`]/g;
const uploadV2 = /\.\s*filesUploadV2\s*\(/g;
const chatStream = /\.\s*chatStream\s*\(/g;
// Bolt's `say()` is chat.postMessage in the event's channel.
const boltSay = /(?<![\w.])say\s*\(/g;

interface MethodUse {
  readonly method: string;
  readonly file: string;
}

/** The Slack Web API methods a source text calls. */
function webApiCalls(file: string, source: string): MethodUse[] {
  const text = withoutComments(source);
  const uses: MethodUse[] = [];
  for (const match of text.matchAll(namespaceCall)) {
    const [, namespace = '', first = '', second] = match;
    uses.push({ method: [namespace, first, ...(second ? [second] : [])].join('.'), file });
  }
  for (const match of text.matchAll(stringCall)) uses.push({ method: match[1] ?? '', file });
  for (const _ of text.matchAll(uploadV2)) uses.push({ method: 'files.uploadV2', file });
  for (const _ of text.matchAll(chatStream)) uses.push({ method: 'chat.startStream', file });
  for (const _ of text.matchAll(boltSay)) uses.push({ method: 'chat.postMessage', file });
  return uses;
}

interface Need {
  readonly anyOf: Requirement;
  readonly because: string;
}

interface CodeNeeds {
  readonly needs: Need[];
  readonly unknownMethods: MethodUse[];
  readonly methods: Set<string>;
}

function codeNeeds(files: ReadonlyArray<{ file: string; source: string }>): CodeNeeds {
  const needs: Need[] = [];
  const unknownMethods: MethodUse[] = [];
  const methods = new Set<string>();
  for (const { file, source } of files) {
    for (const use of webApiCalls(file, source)) {
      methods.add(use.method);
      const requirements = methodScopes[use.method];
      if (!requirements) {
        unknownMethods.push(use);
        continue;
      }
      for (const anyOf of requirements) needs.push({ anyOf, because: `${use.method} in ${file}` });
      if (use.method === 'users.info' && /\bemail\b/.test(withoutComments(source))) {
        needs.push({ anyOf: emailScope, because: `users.info email read in ${file}` });
      }
    }
  }
  return { needs, unknownMethods, methods };
}

interface ManifestFacts {
  readonly botScopes: string[];
  readonly optionalScopes: string[];
  readonly botEvents: string[];
  readonly shortcuts: Array<{ callback_id: string }>;
  readonly slashCommands: unknown[];
}

function readManifest(): ManifestFacts {
  // Shape and limits are checked in manifest.test.ts; here only the parts that carry scopes.
  const doc = parse(readRepoFile('manifest.yml')) as {
    features?: { shortcuts?: Array<{ callback_id: string }>; slash_commands?: unknown[] };
    oauth_config?: { scopes?: { bot?: string[]; bot_optional?: string[] } };
    settings?: { event_subscriptions?: { bot_events?: string[] } };
  };
  return {
    botScopes: doc.oauth_config?.scopes?.bot ?? [],
    optionalScopes: doc.oauth_config?.scopes?.bot_optional ?? [],
    botEvents: doc.settings?.event_subscriptions?.bot_events ?? [],
    shortcuts: doc.features?.shortcuts ?? [],
    slashCommands: doc.features?.slash_commands ?? [],
  };
}

function manifestNeeds(manifest: ManifestFacts): Need[] {
  const needs: Need[] = [];
  for (const event of manifest.botEvents) {
    for (const anyOf of eventScopes[event] ?? []) needs.push({ anyOf, because: `bot event ${event}` });
  }
  if (manifest.shortcuts.length > 0 || manifest.slashCommands.length > 0) {
    needs.push({ anyOf: ['commands'], because: 'shortcuts / slash commands' });
  }
  return needs;
}

const explain = (need: Need): string => `${need.anyOf.join(' or ')} (for ${need.because})`;

const unmet = (needs: readonly Need[], scopes: readonly string[]): string[] => [
  ...new Set(needs.filter((need) => !need.anyOf.some((scope) => scopes.includes(scope))).map(explain)),
];

const unneeded = (needs: readonly Need[], scopes: readonly string[]): string[] =>
  scopes.filter((scope) => !needs.some((need) => need.anyOf.includes(scope)));

const sources = () => productionSources().map((file) => ({ file, source: readRepoFile(file) }));
const manifest = readManifest;

describe('the call scanner', () => {
  it('finds namespaced, string-named and helper calls, and ignores comments', () => {
    const source = [
      "await client.chat.postMessage({ channel, text: 'see https://example.com//x' });",
      'const replies = await historyClient.conversations',
      '  .replies({ channel, ts });',
      'await app.client.assistant.threads.setStatus({ channel_id, thread_ts, status });',
      "for await (const page of client.paginate('conversations.replies', { channel, ts })) {}",
      "await client.apiCall('users.info', { user });",
      'await client.filesUploadV2({ channel_id, content });',
      'await say({ text, thread_ts });',
      '// client.reactions.add({ name }) is only mentioned here',
      '/* client.team.info() too */',
      'await deps.tickets.info(ticket); await essay(x);',
    ].join('\n');
    expect(webApiCalls('x.ts', source).map((use) => use.method)).toEqual([
      'chat.postMessage',
      'conversations.replies',
      'assistant.threads.setStatus',
      'conversations.replies',
      'users.info',
      'files.uploadV2',
      'chat.postMessage',
    ]);
  });

  it('reports a method missing from the scope table, and asks for the email scope when a users.info caller reads email', () => {
    const found = codeNeeds([
      { file: 'a.ts', source: 'await client.pins.add({ channel });' },
      { file: 'b.ts', source: 'const u = await client.users.info({ user }); return u.user?.profile?.email;' },
    ]);
    expect(found.unknownMethods).toEqual([{ method: 'pins.add', file: 'a.ts' }]);
    expect(found.needs.map((need) => need.anyOf)).toEqual([['users:read'], ['users:read.email']]);
  });

  it('judges alternatives: one scope of a requirement is enough, and each alternative justifies its scope', () => {
    const needs: Need[] = [{ anyOf: ['chat:write', 'assistant:write'], because: 'setStatus' }];
    expect(unmet(needs, ['assistant:write'])).toEqual([]);
    expect(unmet(needs, ['users:read'])).toEqual(['chat:write or assistant:write (for setStatus)']);
    expect(unneeded(needs, ['chat:write', 'assistant:write', 'users:read'])).toEqual(['users:read']);
  });
});

describe('manifest.yml bot scopes against src/', () => {
  it('calls only Web API methods whose scopes are known', () => {
    const { unknownMethods } = codeNeeds(sources());
    expect(
      unknownMethods.map((use) => `${use.method} (${use.file})`),
      'add these methods and their scopes to methodScopes in this test',
    ).toEqual([]);
  });

  it('grants every scope the code, the subscribed events and the shortcuts need', () => {
    const { botScopes } = manifest();
    const needs = [...codeNeeds(sources()).needs, ...manifestNeeds(manifest())];
    expect(unmet(needs, botScopes), 'scopes missing from manifest.yml').toEqual([]);
  });

  it('asks for no bot scope that nothing needs', () => {
    const { botScopes, optionalScopes } = manifest();
    const needs = [...codeNeeds(sources()).needs, ...manifestNeeds(manifest())];
    expect(unneeded(needs, [...botScopes, ...optionalScopes]), 'scopes no code path needs').toEqual([]);
    expect(new Set(botScopes).size, 'duplicate scopes').toBe(botScopes.length);
  });

  it('subscribes exactly to the events the app listens to', () => {
    const code = sources()
      .map(({ source }) => withoutComments(source))
      .join('\n');
    const listened = new Set(
      [...code.matchAll(/\bapp\s*\.\s*event\s*(?:<[^>]*>)?\s*\(\s*['"`]([a-z_]+)['"`]/g)].map((m) => m[1]),
    );
    if (/\bapp\s*\.\s*message\s*(?:<[^>]*>)?\s*\(/.test(code)) listened.add('message');
    // Bolt's Assistant (its middleware, registered with app.use in listeners/index.ts) takes assistant_thread_started
    // and messages in DM threads; it would take assistant_thread_context_changed too, which the app does not use
    // (listeners/assistant-pane.ts).
    if (/\bcreateAssistantPane\s*\(\s*deps\s*\)\s*\.\s*getMiddleware\s*\(/.test(code)) {
      listened.add('assistant_thread_started');
      listened.add('message');
    }
    const subscribed = manifest().botEvents;
    // message.channels / .groups / .im / .mpim all arrive as `message` events.
    const subscribedTypes = new Set(subscribed.map((event) => event.split('.')[0]));
    expect(
      [...listened].filter((type) => !subscribedTypes.has(type ?? '')),
      'listened to, not subscribed',
    ).toEqual([]);
    expect(
      [...subscribedTypes].filter((type) => !listened.has(type)),
      'subscribed, no listener',
    ).toEqual([]);
  });

  it('registers a listener for every slash command in the manifest, and no other, by the name in ids.ts', async () => {
    const { SlashCommand } = await import('../../src/slack/blocks/ids.js');
    const code = sources()
      .map(({ source }) => withoutComments(source))
      .join('\n');
    const registered = [...code.matchAll(/\bapp\s*\.\s*command\s*(?:<[^>]*>)?\s*\(\s*([^,)]+)/g)].map((match) => {
      const argument = (match[1] ?? '').trim();
      const constant = /^SlashCommand\.(\w+)$/.exec(argument)?.[1];
      if (constant) return (SlashCommand as Record<string, string>)[constant] ?? `unknown SlashCommand.${constant}`;
      return argument.replace(/^['"`]|['"`]$/g, '');
    });
    const inManifest = (manifest().slashCommands as Array<{ command: string }>).map((entry) => entry.command);
    expect(inManifest.length).toBeGreaterThan(0);
    expect(registered.sort(), 'app.command listeners against manifest features.slash_commands').toEqual(
      inManifest.sort(),
    );
  });

  it('registers a listener for every shortcut in the manifest, with the id from src/slack/blocks/ids.ts', async () => {
    const { CallbackId } = await import('../../src/slack/blocks/ids.js');
    const code = sources()
      .map(({ source }) => withoutComments(source))
      .join('\n');
    const registered = [...code.matchAll(/\bapp\s*\.\s*shortcut\s*(?:<[^>]*>)?\s*\(\s*([^,)]+)/g)].map((match) => {
      const argument = (match[1] ?? '').trim();
      const constant = /^CallbackId\.(\w+)$/.exec(argument)?.[1];
      if (constant) return (CallbackId as Record<string, string>)[constant] ?? `unknown CallbackId.${constant}`;
      return argument.replace(/^['"`]|['"`]$/g, '');
    });
    const inManifest = manifest().shortcuts.map((shortcut) => shortcut.callback_id);
    expect(inManifest.length).toBeGreaterThan(0);
    expect(
      inManifest.filter((id) => !registered.includes(id)),
      'manifest shortcuts with no listener',
    ).toEqual([]);
    expect(
      registered.filter((id) => !inManifest.includes(id)),
      'listeners for shortcuts not in the manifest',
    ).toEqual([]);
  });
});
