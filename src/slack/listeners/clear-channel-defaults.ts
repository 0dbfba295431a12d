import { clearChannelDefaults } from '../flows/channel-defaults-form.js';
import type { SlackDeps } from '../flows/deps.js';
import { parseChannelAction } from '../parse/channel-action.js';
import type { ButtonArgs } from './types.js';

/** Clear defaults under `/helpdesk defaults` (after Slack's confirm dialog): the channel's defaults go. */
export async function onClearChannelDefaults(deps: SlackDeps, { ack, body, respond, context }: ButtonArgs) {
  await ack();
  const log = context.log ?? deps.logger;
  const click = parseChannelAction(body);
  if (!click) {
    log.warn('clear channel defaults click without a channel: ignored');
    return;
  }
  await clearChannelDefaults(
    deps,
    log,
    { channel: { teamId: deps.identity.teamId, channelId: click.channelId }, userId: click.userId },
    async (content, replace) => {
      await respond({
        response_type: 'ephemeral',
        replace_original: replace,
        text: content.text,
        blocks: content.blocks,
      }).catch((error: unknown) => log.warn({ err: error }, 'could not answer Clear defaults'));
    },
  );
}
