import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type AgentMessage, emptyMessageData } from '../domain/messages.js';
import { createRedactor } from '../domain/redact.js';
import type { TicketLink } from '../domain/thread-link.js';
import type { MessageContent } from './blocks/message.js';
import { postAgentReply } from './conversation.js';
import type { SlackDeps } from './deps.js';

const thread = { teamId: 'T1', channelId: 'C1', threadTs: '1.000001' };
const link = { thread, agentName: 'kubernetes-agent' } as TicketLink;

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
      data: { ...emptyMessageData(), executed_cmds: [{ command: 'kubectl get pods', output: 'refused output' }] },
    };

    await expect(postAgentReply(deps, link, reply, null)).rejects.toThrow('invalid_blocks');
    expect(posted.join('\n')).toContain('The restart went through.');
    expect(proposalsAskedFor).toEqual([reply]);
  });
});
