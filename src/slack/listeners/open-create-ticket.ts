import type { SlackDeps } from '../flows/deps.js';
import { openTicketForm } from '../flows/ticket-form-open.js';
import { CreateTicketPromptValueSchema, parseMessageAction } from '../parse/block-action.js';
import type { TicketFormMetadata } from '../parse/form-metadata.js';
import type { ButtonArgs } from './types.js';

/**
 * Create Ticket: open the modal at once (the trigger lives 3 s) with what we know without I/O, then fill in the
 * person's own tenants and update it.
 */
export async function openCreateTicket(deps: SlackDeps, { ack, body, client, context }: ButtonArgs): Promise<void> {
  await ack();
  const log = context.log ?? deps.logger;
  const click = parseMessageAction(body);
  const value = safeJson(click?.value);
  const prompt = CreateTicketPromptValueSchema.safeParse(value);
  if (!click?.triggerId || !prompt.success) {
    log.warn('Create Ticket click without a trigger or request: ignored');
    return;
  }
  const metadata: TicketFormMetadata = {
    v: 2,
    mode: 'create',
    thread: { teamId: deps.identity.teamId, channelId: click.channelId, threadTs: click.threadTs },
    requestTs: prompt.data.requestTs,
    promptTs: click.messageTs,
  };
  await openTicketForm(deps, client, log, { triggerId: click.triggerId, userId: click.userId, metadata });
}

function safeJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
