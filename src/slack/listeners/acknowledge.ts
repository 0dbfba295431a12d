import type { ButtonArgs } from './types.js';

/** Link buttons and non-dispatching selects still send block_actions; Slack shows an error unless they are acked. */
export async function acknowledgeOnly({ ack }: ButtonArgs): Promise<void> {
  await ack();
}
