import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { HelpdeskApi } from '../../domain/helpdesk.js';
import { wellFormedDeep } from '../../well-formed.js';
import { escapeMrkdwn, escapeTrustedMrkdwn } from '../text/index.js';
import { helpdeskLabels } from './helpdesk-labels.js';
import { ActionId, BlockId, CallbackId, dependentBlockId } from './ids.js';
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
  | { readonly status: 'ready'; readonly options: readonly ChoiceOption[]; readonly selected?: readonly string[] };

/** The ticket's context now (Update Context), as people read it. */
export interface CurrentContext {
  readonly portal: string;
  readonly api: HelpdeskApi;
  readonly spaceName: string;
  readonly agentName: string;
  /** The permissions, described: an identity, or scope names. */
  readonly permissions: string;
}

export interface PortalChoice {
  /** What the form carries (parse/portal-key.ts). */
  readonly key: string;
  readonly name: string;
}

export interface TicketForm {
  /** Create Ticket, Update Context, or a channel's defaults (/helpdesk defaults): the same fields. */
  readonly mode: 'create' | 'update' | 'defaults';
  /** Serialized private_metadata (see parse/form-metadata.ts). */
  readonly metadata: string;
  readonly portals: readonly PortalChoice[];
  readonly portalKey: string | null;
  /** The chosen portal's HelpDesk and its word for a workspace; null until known. */
  readonly helpdesk: { readonly api: HelpdeskApi; readonly spaceLabel: string | null } | null;
  readonly spaceId: string | null;
  readonly spaces: Choices;
  readonly agents: Choices;
  readonly permissions: Choices;
  /** Trusted words shown above the inputs (why a list is empty, what failed). */
  readonly notice?: string;
  /** Update Context: the context the ticket has now. */
  readonly current?: CurrentContext;
  /** Update Context: the change opens a new ticket (portal, space or permissions differ), so ask about sharing. */
  readonly askShareThread?: boolean;
  /** Defaults: the channel whose defaults the form sets. */
  readonly channelId?: string;
  /** Slack tells the app when the person cancels the form (a thread started for it says it was cancelled). */
  readonly notifyOnClose?: boolean;
}

/** Above this many spaces the select loads its options on demand, so people can search them. */
export const StaticOptionLimit = 100;
/** Slack's limit on an option's value (docs/slack-platform.md): a longer one makes it refuse the whole list. */
export const OptionValueLimit = 150;

export const ShareThreadValue = { Yes: 'yes', No: 'no' } as const;

const toOption = (choice: ChoiceOption): PlainTextOption => ({
  text: plainText(clip(choice.label, 75)),
  value: choice.value,
  ...(choice.description ? { description: plainText(clip(choice.description, 75)) } : {}),
});

const usable = (options: readonly ChoiceOption[]) =>
  options.filter((option) => option.value.length <= OptionValueLimit);

interface SelectField {
  readonly blockId: string;
  readonly actionId: string;
  readonly label: string;
  readonly placeholder: string;
  readonly choices: Choices;
  readonly dispatch: boolean;
  readonly multiple?: boolean;
  readonly hint?: string;
}

function selectBlock(field: SelectField): KnownBlock[] {
  const { choices } = field;
  if (choices.status === 'hidden') return [];
  if (choices.status === 'loading') {
    return [{ type: 'section', block_id: field.blockId, text: mrkdwn(`*${escapeMrkdwn(field.label)}*\n_Loading…_`) }];
  }
  if (choices.status === 'unavailable') {
    return [
      {
        type: 'section',
        block_id: field.blockId,
        text: mrkdwn(`*${escapeMrkdwn(field.label)}*\n${escapeTrustedMrkdwn(choices.reason)}`),
      },
    ];
  }
  const options = usable(choices.options);
  const selected = options.filter((option) => choices.selected?.includes(option.value));
  const input = {
    type: 'input' as const,
    block_id: field.blockId,
    label: plainText(field.label),
    dispatch_action: field.dispatch,
    ...(field.hint ? { hint: plainText(field.hint) } : {}),
  };
  if (field.multiple) {
    return [
      {
        ...input,
        element: {
          type: 'multi_static_select',
          action_id: field.actionId,
          placeholder: plainText(field.placeholder),
          options: options.slice(0, StaticOptionLimit).map(toOption),
          ...(selected.length > 0 ? { initial_options: selected.map(toOption) } : {}),
        },
      },
    ];
  }
  const first = selected[0];
  if (options.length > StaticOptionLimit) {
    return [
      {
        ...input,
        element: {
          type: 'external_select',
          action_id: field.actionId,
          placeholder: plainText(`${field.placeholder} (type to search)`),
          min_query_length: 0,
          ...(first ? { initial_option: toOption(first) } : {}),
        },
      },
    ];
  }
  return [
    {
      ...input,
      element: {
        type: 'static_select',
        action_id: field.actionId,
        placeholder: plainText(field.placeholder),
        options: options.map(toOption),
        ...(first ? { initial_option: toOption(first) } : {}),
      },
    },
  ];
}

/** The space, agent and permissions fields as the portal's HelpDesk names them. */
function helpdeskFields(form: TicketForm): KnownBlock[] {
  const update = form.mode === 'update';
  const portalKey = form.portalKey ?? 'none';
  const detailKey = `${portalKey}/${form.spaceId ?? 'none'}`;
  const api = form.helpdesk?.api ?? 'tenant';
  const labels = helpdeskLabels(api, form.helpdesk?.spaceLabel ?? null);
  const tenant = api === 'tenant';
  const space = selectBlock({
    blockId: dependentBlockId(tenant ? BlockId.Tenant : BlockId.Workspace, portalKey),
    actionId: tenant ? ActionId.SelectTenant : ActionId.SelectWorkspace,
    label: labels.space,
    placeholder: `Choose a ${labels.space.toLowerCase()}`,
    choices: form.spaces,
    dispatch: true,
    hint: tenant
      ? 'Only tenants you can access in this portal are listed.'
      : `The ${labels.space.toLowerCase()}s of this HelpDesk.`,
  });
  const agent = selectBlock({
    blockId: dependentBlockId(BlockId.Agent, detailKey),
    actionId: ActionId.SelectAgent,
    label: 'Agent',
    placeholder: 'Choose an AI agent',
    choices: form.agents,
    dispatch: false,
  });
  // On Update Context a different choice opens a new ticket (permissions are fixed when a ticket is created), so
  // the form is redrawn to ask whether to share the thread.
  const permissions = selectBlock({
    blockId: dependentBlockId(tenant ? BlockId.Identity : BlockId.Scopes, detailKey),
    actionId: tenant ? ActionId.SelectIdentity : ActionId.SelectScopes,
    label: update ? labels.permissions : labels.createPermissions,
    placeholder: tenant ? 'Choose the identity the agent assumes' : 'Choose the scopes the agent may use',
    choices: form.permissions,
    dispatch: update,
    multiple: !tenant,
    hint: tenant
      ? "The user identity the agent assumes, from the tenant's helpdesk-impersonatable-users setting."
      : 'What the agent may access. Only the scopes your operator allows are listed.',
  });
  return [...space, ...agent, ...permissions];
}

function shareThreadBlocks(): KnownBlock[] {
  const no: PlainTextOption = { text: plainText('No - Do not share thread messages'), value: ShareThreadValue.No };
  const yes: PlainTextOption = { text: plainText('Yes - Share all the thread messages'), value: ShareThreadValue.Yes };
  return [
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
  ];
}

/** The Create Ticket and Update Context modals: one builder, so both follow the same access rules and refresh. */
export function buildTicketForm(form: TicketForm): ModalView {
  const update = form.mode === 'update';
  const defaults = form.mode === 'defaults';
  const blocks: KnownBlock[] = [];

  if (defaults && form.channelId) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `Create Ticket in <#${form.channelId}> starts from these. Whoever creates a ticket is checked again for each of them.`,
        ),
      ],
    });
  }

  if (form.current) {
    const current = form.current;
    const labels = helpdeskLabels(current.api);
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `Now: *${escapeMrkdwn(current.portal)}* › *${escapeMrkdwn(current.spaceName)}* · agent *${escapeMrkdwn(current.agentName)}* · ${labels.permissions.toLowerCase()} *${escapeMrkdwn(current.permissions)}*`,
        ),
      ],
    });
  }
  if (form.notice)
    blocks.push({
      type: 'section',
      block_id: BlockId.Notice,
      text: mrkdwn(`:warning: ${escapeTrustedMrkdwn(form.notice)}`),
    });

  blocks.push(
    ...selectBlock({
      blockId: BlockId.Portal,
      actionId: ActionId.SelectPortal,
      label: 'Portal',
      placeholder: 'Choose a DuploCloud portal',
      choices: {
        status: 'ready',
        options: form.portals.map((portal) => ({ label: portal.name, value: portal.key })),
        ...(form.portalKey ? { selected: [form.portalKey] } : {}),
      },
      dispatch: true,
    }),
    ...helpdeskFields(form),
  );

  if (update && form.askShareThread) blocks.push(...shareThreadBlocks());

  // Names come from the portal: a lone surrogate in one would make Slack refuse the whole view (src/well-formed.ts).
  return wellFormedDeep({
    type: 'modal',
    callback_id: update ? CallbackId.UpdateContext : defaults ? CallbackId.ChannelDefaults : CallbackId.CreateTicket,
    title: plainText(update ? 'Update Context' : defaults ? 'Channel defaults' : 'Create Ticket'),
    submit: plainText(update ? 'Update' : defaults ? 'Save' : 'Create'),
    close: plainText('Cancel'),
    ...(form.notifyOnClose ? { notify_on_close: true } : {}),
    private_metadata: form.metadata,
    blocks,
  });
}
