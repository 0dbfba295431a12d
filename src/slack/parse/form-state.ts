import { z } from 'zod';
import { ActionId, BlockId, baseOfBlockId } from '../ids.js';

/** The values a person chose in the ticket form, read from view.state.values. Absent means not chosen. */
export interface FormValues {
  readonly portal?: string;
  readonly tenantId?: string;
  readonly agentName?: string;
  readonly identity?: string;
  readonly shareThread?: 'yes' | 'no';
  readonly newMessage?: string;
}

const Selected = z.object({ selected_option: z.object({ value: z.string() }).nullable().optional() }).loose();
const Typed = z.object({ value: z.string().nullable().optional() }).loose();
const StateValues = z.record(z.string(), z.record(z.string(), z.unknown()));

const pickSelected = (value: unknown): string | undefined => {
  const parsed = Selected.safeParse(value);
  return parsed.success ? (parsed.data.selected_option?.value ?? undefined) : undefined;
};

/** Reads a view's state; input blocks are found by their base id, whatever dependency suffix they carry. */
export function parseFormValues(stateValues: unknown): FormValues {
  const parsed = StateValues.safeParse(stateValues);
  if (!parsed.success) return {};
  const values: Record<string, string> = {};
  for (const [blockId, actions] of Object.entries(parsed.data)) {
    const base = baseOfBlockId(blockId);
    if (base === BlockId.Portal) assign(values, 'portal', pickSelected(actions[ActionId.SelectPortal]));
    if (base === BlockId.Tenant) assign(values, 'tenantId', pickSelected(actions[ActionId.SelectTenant]));
    if (base === BlockId.Agent) assign(values, 'agentName', pickSelected(actions[ActionId.SelectAgent]));
    if (base === BlockId.Identity) assign(values, 'identity', pickSelected(actions[ActionId.SelectIdentity]));
    if (base === BlockId.ShareThread) assign(values, 'shareThread', pickSelected(actions[ActionId.ShareThread]));
    if (base === BlockId.NewMessage) {
      const typed = Typed.safeParse(actions[ActionId.NewMessage]);
      const text = typed.success ? typed.data.value?.trim() : undefined;
      assign(values, 'newMessage', text || undefined);
    }
  }
  const { shareThread, ...rest } = values;
  return { ...rest, ...(shareThread === 'yes' || shareThread === 'no' ? { shareThread } : {}) };
}

function assign(target: Record<string, string>, key: string, value: string | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** The block id under which a field currently sits in a submitted view, for `response_action: errors`. */
export function blockIdFor(stateValues: unknown, base: string): string | undefined {
  const parsed = StateValues.safeParse(stateValues);
  if (!parsed.success) return undefined;
  return Object.keys(parsed.data).find((blockId) => baseOfBlockId(blockId) === base);
}
