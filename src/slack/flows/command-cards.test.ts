import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../domain/redact.js';
import type { MessageContent } from '../blocks/message.js';
import type { ThreadPoster } from '../web/thread-poster.js';
import { postOutputs } from './command-cards.js';
import type { SlackDeps } from './deps.js';

const thread = { teamId: 'T1', channelId: 'C1', threadTs: '1.000001' };

/** A poster that records what it posted and refuses the calls `refuse` picks. */
function recordingPoster(refuse: (content: string) => boolean) {
  const posted: string[] = [];
  const fail = (what: string) => {
    if (refuse(what)) throw new Error(`refused: ${what.slice(0, 40)}`);
    posted.push(what);
  };
  const poster: Pick<ThreadPoster, 'post' | 'uploadText'> = {
    post: async (_thread, content: MessageContent) => {
      fail(JSON.stringify(content.blocks));
      return '2.000001';
    },
    uploadText: async (_thread, file) => fail(`file ${file.filename}: ${file.content}`),
  };
  return { poster, posted };
}

const depsWith = (poster: Pick<ThreadPoster, 'post' | 'uploadText'>, lines: string[]) =>
  ({
    poster,
    redactor: createRedactor(),
    logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }),
  }) as unknown as SlackDeps;

describe('postOutputs', () => {
  const executed = [
    { command: 'kubectl get pods', output: 'first' },
    { command: 'kubectl get svc', output: 'second' },
    { command: 'cat big.log', output: 'third\n'.repeat(100) },
  ];

  it('posts every output, as code or as a file', async () => {
    const { poster, posted } = recordingPoster(() => false);
    await postOutputs(depsWith(poster, []), { thread }, executed);
    expect(posted).toHaveLength(3);
    expect(posted[0]).toContain('first');
    expect(posted[2]).toMatch(/^file command-3-output\.txt: third/);
  });

  it('posts the others when one is refused, logs it, and throws once all were tried', async () => {
    const { poster, posted } = recordingPoster((what) => what.includes('first'));
    const lines: string[] = [];
    await expect(postOutputs(depsWith(poster, lines), { thread }, executed)).rejects.toThrow('refused');
    expect(posted).toHaveLength(2);
    expect(posted[0]).toContain('second');
    expect(posted[1]).toMatch(/^file command-3-output\.txt/);
    expect(lines.join('\n')).toContain('could not post a command output');
  });
});
