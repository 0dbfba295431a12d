import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { ActionId, BlockId, CallbackId, dependentBlockId } from '../ids.js';
import { escapeMrkdwn } from '../text/index.js';
import { clip, mrkdwn, plainText } from './message.js';

export interface ChoiceOption {
  readonly label: string;
  readonly value: string;
  readonly description?: string;
}

/** One dependent select of the form: not applicable yet, explained as unavailable, or ready to choose from. */
export type Choices =
  | { readonly status: 'hidden' }
  | { readonly status: 'loading' }
  | { readonly status: 'unavailable'; readonly reason: string }
  | { readonly status: 'ready'; readonly options: readonly ChoiceOption[]; readonly selected?: string };

export interface CurrentContext {
  readonly portal: string;
  readonly tenantName: string;
  readonly agentName: string;
  readonly identity: string;
}

export interface TicketForm {
  readonly mode: 'create' | 'update';
  /** Serialized private_metadata (see parse/form-metadata.ts). */
  readonly metadata: string;
  readonly portals: readonly string[];
  readonly portal: string | null;
  readonly tenantId: string | null;
  readonly tenants: Choices;
  readonly agents: Choices;
  readonly identities: Choices;
  /** Trusted words shown above the inputs (why a list is empty, what failed). */
  readonly notice?: string;
  /** Update Context: the context the ticket has now. */
  readonly current?: CurrentContext;
  /** Update Context: Portal or Tenant differ from the current ones, so ask about sharing the thread. */
  readonly askShareThread?: boolean;
}

/** Above this many tenants the Tenant select loads its options on demand, so people can search them. */
export const StaticOptionLimit = 100;
const OptionValueLimit = 150;

export const ShareThreadValue = { Yes: 'yes', No: 'no' } as const;

const toOption = (choice: ChoiceOption): PlainTextOption => ({
  text: plainText(clip(choice.label, 75)),
  value: choice.value,
  ...(choice.description ? { description: plainText(clip(choice.description, 75)) } : {}),
});

const usable = (options: readonly ChoiceOption[]) =>
  options.filter((option) => option.value.length <= OptionValueLimit);

function selectBlock(args: {
  blockId: string;
  actionId: string;
  label: string;
  placeholder: string;
  choices: Choices;
  dispatch: boolean;
  hint?: string;
}): KnownBlock[] {
  const { choices } = args;
  if (choices.status === 'hidden') return [];
  if (choices.status === 'loading') {
    return [{ type: 'section', block_id: args.blockId, text: mrkdwn(`*${args.label}*\n_Loading…_`) }];
  }
  if (choices.status === 'unavailable') {
    return [{ type: 'section', block_id: args.blockId, text: mrkdwn(`*${args.label}*\n${choices.reason}`) }];
  }
  const options = usable(choices.options);
  const selected = options.find((option) => option.value === choices.selected);
  const hint = args.hint ? { hint: plainText(args.hint) } : {};
  if (options.length > StaticOptionLimit) {
    return [
      {
        type: 'input',
        block_id: args.blockId,
        label: plainText(args.label),
        dispatch_action: args.dispatch,
        ...hint,
        element: {
          type: 'external_select',
          action_id: args.actionId,
          placeholder: plainText(`${args.placeholder} (type to search)`),
          min_query_length: 0,
          ...(selected ? { initial_option: toOption(selected) } : {}),
        },
      },
    ];
  }
  return [
    {
      type: 'input',
      block_id: args.blockId,
      label: plainText(args.label),
      dispatch_action: args.dispatch,
      ...hint,
      element: {
        type: 'static_select',
        action_id: args.actionId,
        placeholder: plainText(args.placeholder),
        options: options.map(toOption),
        ...(selected ? { initial_option: toOption(selected) } : {}),
      },
    },
  ];
}

/** The Create Ticket and Update Context modals: one builder, so both follow the same access rules and refresh. */
export function buildTicketForm(form: TicketForm): ModalView {
  const update = form.mode === 'update';
  const portalKey = form.portal ?? 'none';
  const detailKey = `${portalKey}/${form.tenantId ?? 'none'}`;
  const blocks: KnownBlock[] = [];

  if (form.current) {
    const current = form.current;
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `Now: *${escapeMrkdwn(current.portal)}* › *${escapeMrkdwn(current.tenantName)}* · agent *${escapeMrkdwn(current.agentName)}* · as *${escapeMrkdwn(current.identity)}*`,
        ),
      ],
    });
  }
  if (form.notice) blocks.push({ type: 'section', block_id: BlockId.Notice, text: mrkdwn(`:warning: ${form.notice}`) });

  const portalOptions = form.portals.map((name) => ({ label: name, value: name }));
  blocks.push(
    ...selectBlock({
      blockId: BlockId.Portal,
      actionId: ActionId.SelectPortal,
      label: 'Portal',
      placeholder: 'Choose a DuploCloud portal',
      choices: { status: 'ready', options: portalOptions, ...(form.portal ? { selected: form.portal } : {}) },
      dispatch: true,
    }),
    ...selectBlock({
      blockId: dependentBlockId(BlockId.Tenant, portalKey),
      actionId: ActionId.SelectTenant,
      label: 'Tenant',
      placeholder: 'Choose a tenant',
      choices: form.tenants,
      dispatch: true,
      hint: 'Only tenants you can access in this portal are listed.',
    }),
    ...selectBlock({
      blockId: dependentBlockId(BlockId.Agent, detailKey),
      actionId: ActionId.SelectAgent,
      label: 'Agent',
      placeholder: 'Choose an AI agent',
      choices: form.agents,
      dispatch: false,
    }),
    ...selectBlock({
      blockId: dependentBlockId(BlockId.Identity, detailKey),
      actionId: ActionId.SelectIdentity,
      label: update ? 'Permissions' : 'Default Permissions',
      placeholder: 'Choose the identity the agent assumes',
      choices: form.identities,
      dispatch: false,
      hint: "The user identity the agent assumes, from the tenant's helpdesk-impersonatable-users setting.",
    }),
  );

  if (update && form.askShareThread) {
    const no: PlainTextOption = { text: plainText('No - Do not share thread messages'), value: ShareThreadValue.No };
    const yes: PlainTextOption = {
      text: plainText('Yes - Share all the thread messages'),
      value: ShareThreadValue.Yes,
    };
    blocks.push(
      {
        type: 'input',
        block_id: BlockId.ShareThread,
        label: plainText('Share Thread Context'),
        element: { type: 'radio_buttons', action_id: ActionId.ShareThread, options: [yes, no], initial_option: no },
      },
      {
        type: 'context',
        elements: [
          mrkdwn(
            ':warning: *Security Consideration:* Historical context may contain sensitive data (API keys, credentials). Use discretion when transferring. Values that look like secrets are redacted before they are shared.',
          ),
        ],
      },
      {
        type: 'input',
        block_id: BlockId.NewMessage,
        optional: true,
        label: plainText('New Message'),
        hint: plainText('Optional: a note or instruction for the AI agent in the new context.'),
        element: {
          type: 'plain_text_input',
          action_id: ActionId.NewMessage,
          multiline: true,
          max_length: 3000,
          placeholder: plainText('What should the agent know or do?'),
        },
      },
    );
  }

  return {
    type: 'modal',
    callback_id: update ? CallbackId.UpdateContext : CallbackId.CreateTicket,
    title: plainText(update ? 'Update Context' : 'Create Ticket'),
    submit: plainText(update ? 'Update' : 'Create'),
    close: plainText('Cancel'),
    private_metadata: form.metadata,
    blocks,
  };
}
