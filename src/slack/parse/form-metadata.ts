import { z } from 'zod';
import type { ChannelRef } from '../../domain/channel-defaults.js';
import type { ThreadRef } from '../../domain/thread-link.js';

/**
 * What the Create Ticket / Update Context modals carry in private_metadata (≤3000 characters): ids only, never
 * text a person typed. The portal and tenant chosen so far live here too, because an options request
 * (block_suggestion) does not see values picked in the same unsubmitted view.
 */
const SlackId = z.string().regex(/^[A-Z0-9]{2,30}$/);
const Ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/);

const Choice = {
  /** The portal's form key (parse/portal-key.ts). */
  portal: z.string().max(40).optional(),
  /** The tenant or workspace chosen so far. */
  spaceId: z.string().max(150).optional(),
};

/** Create Ticket and Update Context: a form about a thread. */
const TicketMetadataSchema = z.object({
  v: z.literal(2),
  mode: z.enum(['create', 'update']),
  thread: z.object({ teamId: SlackId, channelId: SlackId, threadTs: Ts }),
  requestTs: Ts.optional(),
  /** The bot's Create Ticket prompt, redrawn without its button once the ticket exists. */
  promptTs: Ts.optional(),
  linkId: z.string().max(80).optional(),
  /** `/helpdesk new` started the thread for this form: cancelling the form says so on that message. */
  startedThread: z.literal(true).optional(),
  ...Choice,
});

/** A channel's defaults (/helpdesk defaults): the same form, about a channel rather than a thread. */
const DefaultsMetadataSchema = z.object({
  v: z.literal(2),
  mode: z.literal('defaults'),
  channel: z.object({ teamId: SlackId, channelId: SlackId }),
  ...Choice,
});

export const FormMetadataSchema = z.discriminatedUnion('mode', [TicketMetadataSchema, DefaultsMetadataSchema]);

export type TicketFormMetadata = z.infer<typeof TicketMetadataSchema>;
export type DefaultsFormMetadata = z.infer<typeof DefaultsMetadataSchema>;
export type FormMetadata = z.infer<typeof FormMetadataSchema>;

export const serializeFormMetadata = (metadata: FormMetadata): string => JSON.stringify(metadata);

export function parseFormMetadata(raw: string | undefined): FormMetadata | null {
  if (!raw) return null;
  try {
    const parsed = FormMetadataSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const threadOf = (metadata: TicketFormMetadata): ThreadRef => metadata.thread;

/** The channel a form is about: its thread's, or the channel whose defaults it sets. */
export const channelOf = (metadata: FormMetadata): ChannelRef =>
  metadata.mode === 'defaults'
    ? metadata.channel
    : { teamId: metadata.thread.teamId, channelId: metadata.thread.channelId };
