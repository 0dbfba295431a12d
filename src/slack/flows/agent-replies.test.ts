import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { type AgentMessage, emptyMessageData } from '../../domain/messages.js';
import { createRedactor } from '../../domain/redact.js';
import type { TicketLink } from '../../domain/thread-link.js';
import type { MessageContent } from '../blocks/message.js';
import { AgentAnswer, postAgentReply } from './agent-replies.js';
import type { SlackDeps } from './deps.js';
import { createLiveReplies } from './live-replies.js';

/** What a live reply needs besides what each test gives: turn order and the streaming budget. */
const live = () => createLiveReplies({ instanceId: 'test' });

const thread = { teamId: 'T1', channelId: 'C1', threadTs: '1.000001' };
const link = {
  thread,
  agentName: 'kubernetes-agent',
  portal: 'acme',
  spaceId: 'dev',
  ticketName: 'dev-1',
} as TicketLink;

describe('postAgentReply', () => {
  it("posts the agent's answer and asks for its proposals even when an output is refused, then reports it", async () => {
    const posted: string[] = [];
    const proposalsAskedFor: unknown[] = [];
    const deps = {
      poster: {
        post: async (_thread: unknown, content: MessageContent) => {
          const text = JSON.stringify(content.blocks);
          if (text.includes('refused output')) throw new Error('invalid_blocks');
          posted.push(text);
          return '2.000001';
        },
        uploadText: async () => undefined,
      },
      redactor: createRedactor(),
      logger: pino({ level: 'silent' }),
      tickets: { ticketUrl: () => 'https://acme.test/ticket' },
      live: live(),
      approvals: {
        openCard: async (_link: unknown, reply: unknown) => {
          proposalsAskedFor.push(reply);
          return null;
        },
      },
    } as unknown as SlackDeps;
    const reply: AgentMessage = {
      role: 'assistant',
      content: 'The restart went through.',
      data: {
        ...emptyMessageData(),
        executed_cmds: [{ command: 'kubectl get pods', output: 'refused output' }],
        cmds: [{ command: 'kubectl rollout restart deploy/web', execute: false }],
      },
    };

    const failures = await postAgentReply(deps, link, reply, null);
    expect(failures).toEqual([
      expect.objectContaining({ what: 'some command outputs', failed: 'shown', error: new Error('invalid_blocks') }),
    ]);
    expect(posted.join('\n')).toContain('The restart went through.');
    expect(proposalsAskedFor).toEqual([
      { role: 'assistant', content: '', data: { ...emptyMessageData(), cmds: reply.data.cmds } },
    ]);
  });

  it('never throws after the portal accepted a message: each step Slack or the store refuses is returned', async () => {
    const storeDown = new DomainError('store.unavailable', 'down');
    const refused = new DomainError('slack.invalid_blocks', 'refused');
    const deps = {
      poster: {
        post: async () => {
          throw refused;
        },
        update: async () => undefined,
        uploadText: async () => undefined,
      },
      redactor: createRedactor(),
      logger: pino({ level: 'silent' }),
      tickets: { ticketUrl: () => 'https://acme.test/ticket' },
      live: live(),
      approvals: {
        openCard: async () => {
          throw storeDown;
        },
      },
    } as unknown as SlackDeps;
    const reply: AgentMessage = {
      role: 'assistant',
      content: 'Run this.',
      data: { ...emptyMessageData(), cmds: [{ command: 'kubectl get pods', execute: false }] },
    };
    const failures = await postAgentReply(deps, link, reply, null);
    expect(failures.map(({ what, failed, error }) => ({ what, failed, error }))).toEqual([
      { what: AgentAnswer, failed: 'shown', error: refused },
      { what: 'the commands the agent proposed', failed: 'recorded', error: storeDown },
    ]);
    expect(failures[0]?.advice).toContain('https://acme.test/ticket');
  });
});
