import { z } from 'zod';
import type { ThreadRef } from '../../domain/thread-link.js';

/**
 * What the Create Ticket / Update Context modals carry in private_metadata (≤3000 characters): ids only, never
 * text a person typed. The portal and tenant chosen so far live here too, because an options request
 * (block_suggestion) does not see values picked in the same unsubmitted view.
 */
const SlackId = z.string().regex(/^[A-Z0-9]{2,30}$/);
const Ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/);

export const FormMetadataSchema = z.object({
  v: z.literal(2),
  mode: z.enum(['create', 'update']),
  thread: z.object({ teamId: SlackId, channelId: SlackId, threadTs: Ts }),
  requestTs: Ts.optional(),
  /** The bot's Create Ticket prompt, redrawn without its button once the ticket exists. */
  promptTs: Ts.optional(),
  linkId: z.string().max(80).optional(),
  /** The portal's form key (parse/portal-key.ts). */
  portal: z.string().max(40).optional(),
  /** The tenant or workspace chosen so far. */
  spaceId: z.string().max(150).optional(),
});

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

export const threadOf = (metadata: FormMetadata): ThreadRef => metadata.thread;
