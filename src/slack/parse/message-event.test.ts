import { describe, expect, it } from 'vitest';
import { mentionsBot, parseHumanMessage, slackTextToPlain, withoutBotMention } from './message-event.js';

const base = { type: 'message', user: 'U123', text: 'hi', ts: '1700000000.000100', channel: 'C1' };

describe('parseHumanMessage', () => {
  it('reads a thread reply and a mention', () => {
    expect(parseHumanMessage({ ...base, thread_ts: '1700000000.000001', team: 'T1' })).toEqual({
      kind: 'message',
      userId: 'U123',
      userTeamId: 'T1',
      text: 'hi',
      ts: '1700000000.000100',
      threadTs: '1700000000.000001',
      channelId: 'C1',
      direct: false,
    });
    expect(parseHumanMessage({ ...base, type: 'app_mention', user_team: 'T2', team: 'T1' })?.userTeamId).toBe('T2');
  });

  it.each([
    ['a bot message', { ...base, bot_id: 'B1' }],
    ['an edit', { ...base, subtype: 'message_changed' }],
    ['a deletion', { ...base, subtype: 'message_deleted' }],
    ['a channel join', { ...base, subtype: 'channel_join' }],
    ['no user', { ...base, user: undefined }],
    ['a malformed ts', { ...base, ts: 'yesterday' }],
    ['not an object', 'hello'],
  ])('ignores %s', (_name, event) => {
    expect(parseHumanMessage(event)).toBeNull();
  });

  it('knows a message in the app’s DM (message.im) from one in a channel, and never calls a mention direct', () => {
    expect(parseHumanMessage({ ...base, channel: 'D0ALICE00', channel_type: 'im' })?.direct).toBe(true);
    expect(parseHumanMessage({ ...base, channel_type: 'channel' })?.direct).toBe(false);
    expect(parseHumanMessage({ ...base, type: 'app_mention', channel: 'D0ALICE00' })?.direct).toBe(false);
    expect(
      parseHumanMessage({ ...base, channel: 'D0ALICE00', channel_type: 'im', subtype: 'message_changed' }),
    ).toBeNull();
    expect(parseHumanMessage({ ...base, channel: 'D0ALICE00', channel_type: 'im', bot_id: 'B1' })).toBeNull();
  });

  it('keeps file shares and thread broadcasts', () => {
    expect(parseHumanMessage({ ...base, subtype: 'file_share' })?.text).toBe('hi');
    expect(parseHumanMessage({ ...base, subtype: 'thread_broadcast' })?.text).toBe('hi');
  });
});

describe('mention text', () => {
  it('removes the bot mention and tidies spaces', () => {
    expect(withoutBotMention('<@UBOT>  pods are   crashing in <@UBOT|bot> dev', 'UBOT')).toBe(
      'pods are crashing in dev',
    );
    expect(mentionsBot('hey <@UBOT>', 'UBOT')).toBe(true);
    expect(mentionsBot('hey <@UOTHER>', 'UBOT')).toBe(false);
  });

  it('turns Slack markup into plain text for the agent', () => {
    expect(
      slackTextToPlain('ask <@U1> in <#C2|ops> about <https://x.io|the doc> or <https://y.io> &lt;3 &amp; <!here>'),
    ).toBe('ask @U1 in #ops about the doc (https://x.io) or https://y.io <3 & @here');
  });
});
