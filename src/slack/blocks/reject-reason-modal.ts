import type { ModalView } from '@slack/types';
import { ActionId, BlockId, CallbackId } from '../ids.js';
import { codeBlock } from '../text/index.js';
import { clip, mrkdwn, plainText } from './message.js';

/** Reject takes optional feedback for the agent. `command` is already redacted. */
export const buildRejectReasonModal = (command: string, metadata: string): ModalView => ({
  type: 'modal',
  callback_id: CallbackId.RejectReason,
  title: plainText('Reject command'),
  submit: plainText('Reject'),
  close: plainText('Cancel'),
  private_metadata: metadata,
  blocks: [
    { type: 'section', text: mrkdwn(codeBlock(clip(command, 2800))) },
    {
      type: 'input',
      block_id: BlockId.RejectReason,
      optional: true,
      label: plainText('Reason'),
      hint: plainText('Optional feedback for the agent, e.g. what to do instead.'),
      element: { type: 'plain_text_input', action_id: ActionId.RejectReason, multiline: true, max_length: 2000 },
    },
  ],
});
