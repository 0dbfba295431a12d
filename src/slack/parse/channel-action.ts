import { z } from 'zod';

/**
 * A button clicked on a message in a channel, ephemeral ones included (their block_actions carry no `message`): who
 * clicked, in which channel (Slack's word for it, not a value of ours), and the trigger to open a modal with.
 */
const ChannelAction = z.object({
  user: z.object({ id: z.string().regex(/^[A-Z0-9]{2,30}$/) }),
  channel: z.object({ id: z.string().regex(/^[CGD][A-Z0-9]{1,30}$/) }),
  trigger_id: z.string().min(1).max(200),
});

export interface ChannelActionClick {
  readonly userId: string;
  readonly channelId: string;
  readonly triggerId: string;
}

export function parseChannelAction(body: unknown): ChannelActionClick | null {
  const parsed = ChannelAction.safeParse(body);
  if (!parsed.success) return null;
  return { userId: parsed.data.user.id, channelId: parsed.data.channel.id, triggerId: parsed.data.trigger_id };
}
