import { describe, expect, it } from 'vitest';
import { parseHelpdeskCommand } from './slash-command.js';

const payload = (text: string, overrides: Record<string, unknown> = {}) => ({
  token: 'verification-token',
  team_id: 'T0TEAM',
  team_domain: 'acme',
  channel_id: 'C0HELPDESK',
  channel_name: 'helpdesk',
  user_id: 'UALICE',
  user_name: 'alice',
  command: '/helpdesk',
  text,
  api_app_id: 'A0APP',
  is_enterprise_install: 'false',
  response_url: 'https://hooks.slack.com/commands/T0TEAM/1/abc',
  trigger_id: '1.2.abc',
  ...overrides,
});

describe('parseHelpdeskCommand', () => {
  it('reads each subcommand, whatever its case, and what follows it', () => {
    expect(parseHelpdeskCommand(payload('tickets'))).toMatchObject({ subcommand: 'tickets', rest: '' });
    expect(parseHelpdeskCommand(payload('  STATUS '))).toMatchObject({ subcommand: 'status' });
    expect(parseHelpdeskCommand(payload('defaults'))).toMatchObject({
      subcommand: 'defaults',
      channelId: 'C0HELPDESK',
    });
    expect(parseHelpdeskCommand(payload('new  pods restart\nsince 9:00'))).toMatchObject({
      subcommand: 'new',
      rest: 'pods restart\nsince 9:00',
      userId: 'UALICE',
      teamId: 'T0TEAM',
      triggerId: '1.2.abc',
      responseUrl: 'https://hooks.slack.com/commands/T0TEAM/1/abc',
    });
  });

  it('answers nothing typed and an unknown word with help, keeping the word to say so', () => {
    expect(parseHelpdeskCommand(payload(''))).toMatchObject({ subcommand: 'help' });
    expect(parseHelpdeskCommand(payload('help'))).toMatchObject({ subcommand: 'help' });
    const unknown = parseHelpdeskCommand(payload('tikets please'));
    expect(unknown).toMatchObject({ subcommand: 'help', unknown: 'tikets', rest: '' });
  });

  it('refuses what is not our command, or lacks what Slack always sends', () => {
    expect(parseHelpdeskCommand(payload('help', { command: '/other' }))).toBeNull();
    expect(parseHelpdeskCommand(payload('help', { channel_id: 'not a channel' }))).toBeNull();
    expect(parseHelpdeskCommand(payload('help', { trigger_id: undefined }))).toBeNull();
    expect(parseHelpdeskCommand(payload('help', { response_url: 'javascript:alert(1)' }))).toBeNull();
    expect(parseHelpdeskCommand(payload('x'.repeat(4_001)))).toBeNull();
    expect(parseHelpdeskCommand(null)).toBeNull();
  });
});
