import { z } from 'zod';
import { ActionId, BlockId, baseOfBlockId } from '../blocks/ids.js';

/** The values a person chose in the ticket form, read from view.state.values. Absent means not chosen. */
export interface FormValues {
  /** The portal's form key (parse/portal-key.ts), not its name. */
  readonly portalKey?: string;
  /** The tenant or workspace. */
  readonly spaceId?: string;
  readonly agentId?: string;
  /** One identity (tenant HelpDesk) or the chosen scopes (workspace HelpDesk). */
  readonly permissionIds?: readonly string[];
  readonly shareThread?: 'yes' | 'no';
  readonly newMessage?: string;
}

const Selected = z.object({ selected_option: z.object({ value: z.string() }).nullable().optional() }).loose();
const SelectedMany = z
  .object({
    selected_options: z
      .array(z.object({ value: z.string() }))
      .nullable()
      .optional(),
  })
  .loose();
const Typed = z.object({ value: z.string().nullable().optional() }).loose();
const StateValues = z.record(z.string(), z.record(z.string(), z.unknown()));

const pickSelected = (value: unknown): string | undefined => {
  const parsed = Selected.safeParse(value);
  return parsed.success ? (parsed.data.selected_option?.value ?? undefined) : undefined;
};

const pickMany = (value: unknown): string[] | undefined => {
  const parsed = SelectedMany.safeParse(value);
  const values = parsed.success ? (parsed.data.selected_options ?? []).map((option) => option.value) : [];
  return values.length > 0 ? values : undefined;
};

/** Reads a view's state; input blocks are found by their base id, whatever dependency suffix they carry. */
export function parseFormValues(stateValues: unknown): FormValues {
  const parsed = StateValues.safeParse(stateValues);
  if (!parsed.success) return {};
  const values: {
    portalKey?: string | undefined;
    spaceId?: string | undefined;
    agentId?: string | undefined;
    permissionIds?: string[] | undefined;
    shareThread?: 'yes' | 'no';
    newMessage?: string;
  } = {};
  for (const [blockId, actions] of Object.entries(parsed.data)) {
    const base = baseOfBlockId(blockId);
    const one = (actionId: string) => pickSelected(actions[actionId]);
    if (base === BlockId.Portal) values.portalKey = one(ActionId.SelectPortal) ?? values.portalKey;
    if (base === BlockId.Tenant) values.spaceId = one(ActionId.SelectTenant) ?? values.spaceId;
    if (base === BlockId.Workspace) values.spaceId = one(ActionId.SelectWorkspace) ?? values.spaceId;
    if (base === BlockId.Agent) values.agentId = one(ActionId.SelectAgent) ?? values.agentId;
    if (base === BlockId.Identity) {
      const identity = one(ActionId.SelectIdentity);
      if (identity !== undefined) values.permissionIds = [identity];
    }
    if (base === BlockId.Scopes)
      values.permissionIds = pickMany(actions[ActionId.SelectScopes]) ?? values.permissionIds;
    if (base === BlockId.ShareThread) {
      const share = one(ActionId.ShareThread);
      if (share === 'yes' || share === 'no') values.shareThread = share;
    }
    if (base === BlockId.NewMessage) {
      const typed = Typed.safeParse(actions[ActionId.NewMessage]);
      const text = typed.success ? typed.data.value?.trim() : undefined;
      if (text) values.newMessage = text;
    }
  }
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as FormValues;
}

/** The block id under which a field currently sits in a submitted view, for `response_action: errors`. */
export function blockIdFor(stateValues: unknown, ...bases: string[]): string | undefined {
  const parsed = StateValues.safeParse(stateValues);
  if (!parsed.success) return undefined;
  return Object.keys(parsed.data).find((blockId) => bases.includes(baseOfBlockId(blockId)));
}
