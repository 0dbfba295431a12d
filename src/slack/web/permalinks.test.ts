import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createPermalinks } from './permalinks.js';

const logger = pino({ level: 'silent' });

function fakeClient(answer: (channel: string, ts: string) => unknown) {
  const calls: string[] = [];
  const client = {
    chat: {
      getPermalink: async ({ channel, message_ts }: { channel: string; message_ts: string }) => {
        calls.push(`${channel}/${message_ts}`);
        const result = answer(channel, message_ts);
        if (result instanceof Error) throw result;
        return result;
      },
    },
  };
  return { client: client as never, calls };
}

describe('permalinks', () => {
  it('asks Slack once per message and caches the answer', async () => {
    const { client, calls } = fakeClient((channel, ts) => ({
      ok: true,
      permalink: `https://team.slack.com/archives/${channel}/p${ts.replace('.', '')}`,
    }));
    const permalinks = createPermalinks({ client, logger });
    expect(await permalinks.permalink('C1', '1700000000.000100')).toBe(
      'https://team.slack.com/archives/C1/p1700000000000100',
    );
    await permalinks.permalink('C1', '1700000000.000100');
    await permalinks.permalink('C2', '1700000000.000100');
    expect(calls).toEqual(['C1/1700000000.000100', 'C2/1700000000.000100']);
  });

  it('answers null on a Slack error or an odd answer, and tries again next time', async () => {
    let fail = true;
    const { client, calls } = fakeClient(() =>
      fail
        ? Object.assign(new Error('An API error occurred: message_not_found'), { data: { error: 'message_not_found' } })
        : { ok: true, permalink: 'javascript:alert(1)' },
    );
    const permalinks = createPermalinks({ client, logger });
    expect(await permalinks.permalink('C1', '1.000001')).toBeNull();
    fail = false;
    expect(await permalinks.permalink('C1', '1.000001')).toBeNull();
    expect(calls).toHaveLength(2);
  });

  it('keeps at most maxEntries answers', async () => {
    const { client, calls } = fakeClient((channel) => ({ ok: true, permalink: `https://x.slack.com/${channel}` }));
    const permalinks = createPermalinks({ client, logger, maxEntries: 2 });
    for (const channel of ['C1', 'C2', 'C3', 'C1']) await permalinks.permalink(channel, '1.000001');
    expect(calls).toEqual(['C1/1.000001', 'C2/1.000001', 'C3/1.000001', 'C1/1.000001']);
  });
});
