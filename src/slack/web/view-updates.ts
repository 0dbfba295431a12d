import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { slackError } from './thread-poster.js';

/**
 * views.update with the view's hash. A `hash_conflict` means a newer update (from a later selection) already
 * landed, so ours is stale and is dropped.
 */
export async function updateView(
  client: WebClient,
  log: Logger,
  target: { viewId: string; hash: string | null },
  view: ModalView,
): Promise<void> {
  try {
    await client.views.update({ view_id: target.viewId, ...(target.hash ? { hash: target.hash } : {}), view });
  } catch (error) {
    const coded = slackError('views.update', error);
    if (coded.details.slackError === 'hash_conflict') {
      log.info('modal changed meanwhile; stale update dropped');
      return;
    }
    if (coded.details.slackError === 'not_found') {
      log.info('modal closed before it could be updated');
      return;
    }
    throw coded;
  }
}
