import { z } from 'zod';
import type { DecisionValue } from '../blocks/command-card.js';

const DecisionValueSchema = z.object({
  cardId: z.string().min(1).max(100),
  index: z.number().int().min(0).max(1000),
  digest: z.string().regex(/^[0-9a-f]{16}$/),
});

export function parseDecisionValue(value: string | null | undefined): DecisionValue | null {
  if (!value) return null;
  try {
    const parsed = DecisionValueSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The Reject reason modal's private_metadata: which decision it completes and which message to redraw. */
export const RejectMetadataSchema = z.object({
  decision: DecisionValueSchema,
  channelId: z.string().regex(/^[CGD][A-Z0-9]{1,30}$/),
  threadTs: z.string().regex(/^\d{1,12}\.\d{1,9}$/),
});

export type RejectMetadata = z.infer<typeof RejectMetadataSchema>;

export function parseRejectMetadata(raw: string | undefined): RejectMetadata | null {
  if (!raw) return null;
  try {
    const parsed = RejectMetadataSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
