import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { CallbackId } from '../../src/slack/blocks/ids.js';
import { readRepoFile } from './repo-files.js';

/**
 * manifest.yml must install as is. This mirrors the parts of Slack's manifest schema we use
 * (slackapi/manifest-schema `schemas/manifest.schema.1.0.0.json`, reference slack-platform §10): unknown keys are
 * rejected there too (`additionalProperties: false`), so a typo fails here rather than in Slack's importer.
 */
const httpsUrl = z
  .string()
  .regex(/^https?:\/\//)
  .max(3500);

const Manifest = z.strictObject({
  _metadata: z.strictObject({ major_version: z.literal(1), minor_version: z.number().int().min(0) }),
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().min(1).max(140).optional(),
    background_color: z
      .string()
      .regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/)
      .optional(),
    long_description: z.string().min(175).max(4000).optional(),
  }),
  features: z.strictObject({
    bot_user: z.strictObject({ display_name: z.string().min(1).max(80), always_online: z.boolean().optional() }),
    app_home: z
      .strictObject({
        home_tab_enabled: z.boolean().optional(),
        messages_tab_enabled: z.boolean().optional(),
        messages_tab_read_only_enabled: z.boolean().optional(),
      })
      .optional(),
    shortcuts: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(24),
          type: z.enum(['message', 'global']),
          callback_id: z.string().min(1).max(255),
          description: z.string().min(1).max(150),
        }),
      )
      .min(1)
      .max(10),
    assistant_view: z
      .strictObject({
        assistant_description: z.string().min(1),
        suggested_prompts: z.array(z.strictObject({ title: z.string(), message: z.string() })).optional(),
      })
      .optional(),
    slash_commands: z
      .array(
        z.strictObject({
          command: z
            .string()
            .regex(/^\/[a-z0-9_-]+$/)
            .max(32),
          description: z.string().min(1).max(2000),
          usage_hint: z.string().max(1000).optional(),
          should_escape: z.boolean().optional(),
          url: httpsUrl.optional(),
        }),
      )
      .max(50)
      .optional(),
  }),
  oauth_config: z.strictObject({
    scopes: z.strictObject({ bot: z.array(z.string().max(50)).max(255) }),
  }),
  settings: z.strictObject({
    event_subscriptions: z.strictObject({
      request_url: httpsUrl.optional(),
      bot_events: z.array(z.string().max(50)).max(100),
    }),
    interactivity: z.strictObject({
      is_enabled: z.boolean(),
      request_url: httpsUrl.optional(),
      message_menu_options_url: httpsUrl.optional(),
    }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});

const text = readRepoFile('manifest.yml');
const manifest = Manifest.parse(parse(text));

describe('manifest.yml', () => {
  it('fits Slack manifest schema limits', () => {
    const result = Manifest.safeParse(parse(text));
    expect(
      result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    ).toEqual([]);
  });

  it('rejects what Slack would reject (the schema above is not a no-op)', () => {
    const broken = structuredClone(manifest) as unknown as {
      display_information: { name: string };
      features: { shortcuts: Array<{ name: string }> };
    };
    broken.display_information.name = 'x'.repeat(36);
    expect(Manifest.safeParse(broken).success).toBe(false);
    const longShortcut = structuredClone(manifest) as unknown as typeof broken;
    longShortcut.features.shortcuts[0] = { ...longShortcut.features.shortcuts[0], name: 'x'.repeat(25) };
    expect(Manifest.safeParse(longShortcut).success).toBe(false);
    expect(Manifest.safeParse({ ...manifest, settings: { ...manifest.settings, socket_mode: true } }).success).toBe(
      false,
    );
  });

  it('names the app and bot DuploCloud AI, always online', () => {
    expect(manifest.display_information.name).toBe('DuploCloud AI');
    expect(manifest.features.bot_user).toEqual({ display_name: 'DuploCloud AI', always_online: true });
  });

  it('offers the Create Ticket message shortcut with the callback id the app listens to', () => {
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ name: 'Create Ticket', type: 'message', callback_id: CallbackId.CreateTicketShortcut }),
    ]);
    // The official DuploCloud backend uses this id; keeping it lets operators switch apps without a new manifest.
    expect(CallbackId.CreateTicketShortcut).toBe('ai_shortcut_invoke');
  });

  it('offers /helpdesk, as the app registers it, unescaped (the app reads the text as typed), its URL left to HTTP mode', async () => {
    const { SlashCommand } = await import('../../src/slack/blocks/ids.js');
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({ command: SlashCommand.Helpdesk, should_escape: false }),
    ]);
    const [helpdesk] = manifest.features.slash_commands ?? [];
    for (const subcommand of ['help', 'tickets', 'new', 'status', 'defaults']) {
      expect(helpdesk?.usage_hint).toContain(subcommand);
    }
    // Socket Mode: Slack ignores request URLs (the comment says where HTTP mode sends the command).
    expect(helpdesk?.url).toBeUndefined();
    expect(text).toContain('features.slash_commands[0].url');
  });

  it('runs in Socket Mode with interactivity, static tokens and a single workspace', () => {
    expect(manifest.settings).toMatchObject({
      socket_mode_enabled: true,
      token_rotation_enabled: false,
      org_deploy_enabled: false,
      interactivity: { is_enabled: true },
    });
    // Socket Mode: Slack ignores request URLs, so none are given (the comment says how to switch to HTTP).
    expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();
    expect(manifest.settings.interactivity.request_url).toBeUndefined();
  });

  it('explains how to switch to HTTP request URLs on the one path the service serves', async () => {
    const { SlackEventsPath } = await import('../../src/http/service-http-server.js');
    const comments = text
      .split('\n')
      .filter((line) => line.trimStart().startsWith('#'))
      .join('\n');
    for (const key of [
      'socket_mode_enabled: false',
      'request_url',
      'message_menu_options_url',
      'SLACK_SIGNING_SECRET',
    ]) {
      expect(comments).toContain(key);
    }
    expect(comments).toContain(`https://<host>${SlackEventsPath}`);
  });

  it('subscribes to mentions, thread replies in channels, direct messages, Home tab openings and assistant threads', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual([
      'app_mention',
      'app_home_opened',
      'message.channels',
      'message.groups',
      'message.im',
      'assistant_thread_started',
    ]);
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['im:history', 'assistant:write']));
  });

  it('shows a Home tab and a Messages tab people can write in', () => {
    expect(manifest.features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  it('offers the assistant pane, described, with prompts set per thread by the app', () => {
    expect(manifest.features.assistant_view?.assistant_description).toMatch(/DuploCloud AI HelpDesk/);
    const noDescription = structuredClone(manifest) as unknown as { features: { assistant_view: object } };
    noDescription.features.assistant_view = { suggested_prompts: [] };
    expect(Manifest.safeParse(noDescription).success).toBe(false);
  });
});
