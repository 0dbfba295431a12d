import { z } from 'zod';

const Ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/);
const SlackId = z.string().regex(/^[A-Z0-9]{2,30}$/);

/** A button or select clicked on a message: where it sits and who clicked. */
const MessageAction = z.object({
  user: z.object({ id: SlackId, team_id: z.string().optional() }),
  channel: z.object({ id: SlackId }),
  message: z.object({ ts: Ts, thread_ts: Ts.optional() }).loose(),
  trigger_id: z.string().min(1).max(200).optional(),
  actions: z
    .array(
      z
        .object({
          action_id: z.string(),
          block_id: z.string().optional(),
          value: z.string().max(2000).optional(),
          selected_option: z
            .object({ value: z.string().max(150) })
            .nullable()
            .optional(),
          action_ts: z.string().optional(),
        })
        .loose(),
    )
    .min(1),
});

export interface MessageActionClick {
  readonly userId: string;
  readonly channelId: string;
  readonly messageTs: string;
  /** The thread the message is in (the message itself when it is a parent). */
  readonly threadTs: string;
  readonly triggerId: string | null;
  readonly actionId: string;
  readonly blockId: string | null;
  readonly value: string | null;
}

export function parseMessageAction(body: unknown): MessageActionClick | null {
  const parsed = MessageAction.safeParse(body);
  if (!parsed.success) return null;
  const { user, channel, message, trigger_id, actions } = parsed.data;
  const action = actions[0];
  if (!action) return null;
  return {
    userId: user.id,
    channelId: channel.id,
    messageTs: message.ts,
    threadTs: message.thread_ts ?? message.ts,
    triggerId: trigger_id ?? null,
    actionId: action.action_id,
    blockId: action.block_id ?? null,
    value: action.value ?? action.selected_option?.value ?? null,
  };
}

/** A select changed inside a modal. */
const ViewAction = z.object({
  user: z.object({ id: SlackId }),
  view: z.object({
    id: z.string().min(1),
    hash: z.string().optional(),
    private_metadata: z.string().max(3000).optional(),
    state: z.object({ values: z.unknown() }).optional(),
  }),
  actions: z
    .array(
      z
        .object({
          action_id: z.string(),
          selected_option: z.object({ value: z.string() }).nullable().optional(),
          selected_options: z
            .array(z.object({ value: z.string() }))
            .nullable()
            .optional(),
        })
        .loose(),
    )
    .min(1),
});

export interface ViewActionChange {
  readonly userId: string;
  readonly viewId: string;
  readonly hash: string | null;
  readonly privateMetadata: string | undefined;
  readonly stateValues: unknown;
  readonly actionId: string;
  readonly selected: string | null;
  /** A multi-select's choices (empty when none, or for a single select). */
  readonly selectedMany: readonly string[];
}

export function parseViewAction(body: unknown): ViewActionChange | null {
  const parsed = ViewAction.safeParse(body);
  if (!parsed.success) return null;
  const action = parsed.data.actions[0];
  if (!action) return null;
  return {
    userId: parsed.data.user.id,
    viewId: parsed.data.view.id,
    hash: parsed.data.view.hash ?? null,
    privateMetadata: parsed.data.view.private_metadata,
    stateValues: parsed.data.view.state?.values,
    actionId: action.action_id,
    selected: action.selected_option?.value ?? null,
    selectedMany: (action.selected_options ?? []).map((option) => option.value),
  };
}

export const CreateTicketPromptValueSchema = z.object({ requestTs: Ts });
