import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { createMetrics } from '../../metrics.js';
import { createThreadPoster } from './thread-poster.js';

/** A Web API client that records each call's arguments and answers ok. */
function recordingClient() {
  const calls: { method: string; args: Record<string, unknown> }[] = [];
  const record = (method: string) => async (args: Record<string, unknown>) => {
    calls.push({ method, args });
    return { ok: true, ts: '1.000001' };
  };
  const client = {
    chat: {
      postMessage: record('chat.postMessage'),
      update: record('chat.update'),
      postEphemeral: record('chat.postEphemeral'),
    },
    assistant: { threads: { setStatus: record('assistant.threads.setStatus') } },
    filesUploadV2: record('files.uploadV2'),
    on: () => client,
  } as unknown as WebClient;
  return { client, calls };
}

describe('thread poster', () => {
  it('sends Slack only well-formed text: a lone surrogate becomes U+FFFD in text, blocks, status and files', async () => {
    const { client, calls } = recordingClient();
    const poster = createThreadPoster({ client, logger: createLogger({ level: 'silent' }), metrics: createMetrics() });
    const thread = { teamId: 'T1', channelId: 'C1', threadTs: '1.0' };
    const content = {
      text: 'answer \ud800',
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'answer \udc00 😀' } }],
    };
    await poster.post(thread, content);
    await poster.update('C1', '1.1', content);
    await poster.ephemeral(thread, 'U1', content);
    await poster.setStatus(thread, 'working \ud800');
    await poster.uploadText(thread, {
      filename: 'a\ud800.txt',
      content: 'out \ud800',
      title: 't',
      initialComment: 'c\udc00',
    });
    const sent = JSON.stringify(calls.map((call) => call.args));
    expect(sent).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
    expect(calls.map((call) => call.method)).toEqual([
      'chat.postMessage',
      'chat.update',
      'chat.postEphemeral',
      'assistant.threads.setStatus',
      'files.uploadV2',
    ]);
    expect(calls[0]?.args).toMatchObject({ text: 'answer \ufffd', blocks: [{ text: { text: 'answer \ufffd 😀' } }] });
    expect(calls[3]?.args.status).toBe('working \ufffd');
    expect(calls[4]?.args).toMatchObject({
      filename: 'a\ufffd.txt',
      content: 'out \ufffd',
      initial_comment: 'c\ufffd',
    });
    // The caller's content is not changed.
    expect(content.text).toBe('answer \ud800');
  });
});
