import { z } from 'zod';
import { clip } from '../../blocks/message.js';
import type { SlackDeps } from '../../deps.js';
import { parseFormMetadata } from '../../parse/form-metadata.js';
import type { OptionsArgs } from '../types.js';

const Suggestion = z.object({
  user: z.object({ id: z.string() }),
  value: z.string().max(200).default(''),
  view: z.object({ private_metadata: z.string().max(3000).optional() }).loose(),
});

/**
 * Tenant search when a person has more tenants than a static select holds. The portal comes from the view's
 * private_metadata (updated when Portal was chosen): the options request cannot see unsubmitted values.
 */
export async function onTenantOptions(deps: SlackDeps, { ack, body, context }: OptionsArgs): Promise<void> {
  const parsed = Suggestion.safeParse(body);
  const metadata = parseFormMetadata(parsed.success ? parsed.data.view.private_metadata : undefined);
  if (!parsed.success || !metadata?.portal) {
    await ack({ options: [] });
    return;
  }
  try {
    const user = await deps.users.get(parsed.data.user.id);
    const { tenants } = await deps.access.userAccess(metadata.portal, user.email);
    const query = parsed.data.value.trim().toLowerCase();
    const matches = tenants.filter((tenant) => tenant.name.toLowerCase().includes(query)).slice(0, 100);
    await ack({
      options: matches.map((tenant) => ({
        text: { type: 'plain_text' as const, text: clip(tenant.name, 75) },
        value: tenant.id,
      })),
    });
  } catch (error) {
    (context.log ?? deps.logger).warn({ err: error }, 'tenant options could not be loaded');
    await ack({ options: [] });
  }
}
