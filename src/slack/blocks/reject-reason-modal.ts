import type { KnownBlock, ModalView } from '@slack/types';
import { wellFormedDeep } from '../../well-formed.js';
import { codeBlockToFit, revealHiddenCharacters } from '../text/index.js';
import { ActionId, BlockId, CallbackId } from './ids.js';
import { mrkdwn, plainText, SectionTextMax } from './message.js';

/** Reject takes optional feedback for the agent. `command` is already redacted; its hidden characters are shown. */
export function buildRejectReasonModal(command: string, metadata: string): ModalView {
  const shown = codeBlockToFit(revealHiddenCharacters(command), SectionTextMax);
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(shown.text) }];
  if (shown.cut) {
    const characters = Array.from(command).length.toLocaleString('en-US');
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`_Shown shortened: the full command (${characters} characters) is in the AI HelpDesk._`)],
    });
  }
  blocks.push({
    type: 'input',
    block_id: BlockId.RejectReason,
    optional: true,
    label: plainText('Reason'),
    hint: plainText('Optional feedback for the agent, e.g. what to do instead.'),
    element: { type: 'plain_text_input', action_id: ActionId.RejectReason, multiline: true, max_length: 2000 },
  });
  // The command is the agent's text: it may hold lone surrogates (src/well-formed.ts).
  return wellFormedDeep({
    type: 'modal',
    callback_id: CallbackId.RejectReason,
    title: plainText('Reject command'),
    submit: plainText('Reject'),
    close: plainText('Cancel'),
    private_metadata: metadata,
    blocks,
  });
}
