import { z } from 'zod';
import { wellFormed } from '../../well-formed.js';
import { clip } from '../blocks/message.js';
import { OptionValueLimit } from '../blocks/ticket-form.js';
import { actorFor } from '../flows/agent-replies.js';
import type { SlackDeps } from '../flows/deps.js';
import { parseFormMetadata } from '../parse/form-metadata.js';
import { portalWithKey } from '../parse/portal-key.js';
import type { OptionsArgs } from './types.js';

const Suggestion = z.object({
  user: z.object({ id: z.string() }),
  value: z.string().max(200).default(''),
  view: z.object({ private_metadata: z.string().max(3000).optional() }).loose(),
});

/**
 * Tenant or workspace search when a person has more of them than a static select holds. The portal comes from the
 * view's private_metadata (updated when Portal was chosen): the options request cannot see unsubmitted values.
 */
export async function onSpaceOptions(deps: SlackDeps, { ack, body, context }: OptionsArgs): Promise<void> {
  const parsed = Suggestion.safeParse(body);
  const metadata = parseFormMetadata(parsed.success ? parsed.data.view.private_metadata : undefined);
  const portal = portalWithKey(deps.portals.list(), metadata?.portal);
  if (!parsed.success || !portal) {
    await ack({ options: [] });
    return;
  }
  try {
    const actor = await actorFor(deps, parsed.data.user.id);
    const { spaces } = await deps.access.spaces(portal.name, actor);
    const query = parsed.data.value.trim().toLowerCase();
    // As in the static select (blocks/ticket-form.ts): an id Slack cannot carry as a value is left out, and names are
    // well-formed, so one odd space never makes Slack refuse the whole list.
    const matches = spaces
      .filter((space) => space.id.length <= OptionValueLimit && space.name.toLowerCase().includes(query))
      .slice(0, 100);
    await ack({
      options: matches.map((space) => ({
        text: { type: 'plain_text' as const, text: wellFormed(clip(space.name, 75)) },
        value: space.id,
      })),
    });
  } catch (error) {
    (context.log ?? deps.logger).warn({ err: error }, 'space options could not be loaded');
    await ack({ options: [] });
  }
}
