import {
  type AnyMiddlewareArgs,
  type App,
  AuthorizationError,
  type ReceiverProcessEventErrorHandlerArgs,
} from '@slack/bolt';
import type { Logger } from '../../logger.js';

/** What a person reads in a form Slack sent us but we could not handle. */
export const UnreadableFormMessage =
  'This form could not be read, so nothing was done. Close it and try again; if it keeps happening, tell your Slack admin.';

/** The first input block of a submitted view: where Slack can show a form error. */
function firstInputBlockId(body: unknown): string | undefined {
  const blocks = (body as { view?: { blocks?: unknown } } | null)?.view?.blocks;
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks) {
    const record = block as { type?: unknown; block_id?: unknown } | null;
    if (record?.type === 'input' && typeof record.block_id === 'string' && record.block_id.length > 0) {
      return record.block_id;
    }
  }
  return undefined;
}

/**
 * Acknowledges every interaction the listeners left unanswered (no listener for it, or one that failed before its
 * ack) as soon as they are done. Bolt would answer only after its 3-second timeout, with a 404 that Slack shows as
 * an error. A view submission whose listener failed gets a form error instead of closing as if it had worked.
 * Registered after the core middleware, so it runs inside the request's work tracking.
 */
export function acknowledgeLeftovers(app: App, logger: Logger): void {
  app.use(async (args) => {
    const { ack, body } = args as AnyMiddlewareArgs & { ack?: (response?: unknown) => Promise<void> };
    let failed = false;
    try {
      await args.next();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      if (ack) {
        const type = (body as { type?: unknown }).type;
        const blockId = failed && type === 'view_submission' ? firstInputBlockId(body) : undefined;
        const response = blockId
          ? { response_action: 'errors', errors: { [blockId]: UnreadableFormMessage } }
          : type === 'block_suggestion'
            ? { options: [] }
            : undefined;
        // Rejects with ReceiverMultipleAckError when a listener already answered: the usual case.
        await ack(response).then(
          () => (args.context.log ?? logger).info({ type, failed }, 'Slack request left unanswered: acknowledged'),
          () => undefined,
        );
      }
    }
  });
}

/**
 * HTTPReceiver's answer when Bolt throws while taking a request apart (a payload it cannot read): 400, which Slack
 * retries a bounded number of times, instead of Bolt's 500. Authorization failures keep their 401.
 */
export function answerUnprocessable({
  error,
  logger,
  response,
}: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  if (response.headersSent) {
    logger.error(`A Slack request failed after it was acknowledged: ${(error as Error)?.message ?? String(error)}`);
    return Promise.resolve(false);
  }
  const status = error instanceof AuthorizationError ? 401 : 400;
  logger.warn(`A Slack request could not be processed (answered ${status}): ${(error as Error)?.message ?? error}`);
  response.writeHead(status);
  response.end();
  return Promise.resolve(true);
}
