import { openChannelDefaultsForm } from '../flows/channel-defaults-form.js';
import type { SlackDeps } from '../flows/deps.js';
import { parseChannelAction } from '../parse/channel-action.js';
import type { ButtonArgs } from './types.js';

/** Change (or Set) defaults under `/helpdesk defaults`: open the channel defaults modal on the click's trigger. */
export async function onChangeChannelDefaults(deps: SlackDeps, { ack, body, client, respond, context }: ButtonArgs) {
  await ack();
  const log = context.log ?? deps.logger;
  const click = parseChannelAction(body);
  if (!click) {
    log.warn('channel defaults click without a channel or trigger: ignored');
    return;
  }
  await openChannelDefaultsForm(
    deps,
    client,
    log,
    {
      triggerId: click.triggerId,
      userId: click.userId,
      channel: { teamId: deps.identity.teamId, channelId: click.channelId },
    },
    async (content) => {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: content.text,
        blocks: content.blocks,
      }).catch((error: unknown) =>
        log.warn({ err: error }, 'could not tell why the channel defaults modal did not open'),
      );
    },
  );
}
