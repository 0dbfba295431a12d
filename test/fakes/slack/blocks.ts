import { INTERACTIVE_ELEMENT_TYPES } from './block-kit-validator.js';
import type { BlockAction, SlackObject } from './types.js';

/** A test asked the simulated person to do something Slack's client would not let them do. */
export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
}

const isRecord = (value: unknown): value is SlackObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface ElementRef {
  readonly blockIndex: number;
  readonly blockId: string;
  readonly block: SlackObject;
  readonly element: SlackObject;
  readonly actionId: string;
  readonly type: string;
  readonly place: 'actions' | 'accessory' | 'input' | 'context_actions';
}

function elementsOf(block: SlackObject): Array<{ element: SlackObject; place: ElementRef['place'] }> {
  const found: Array<{ element: SlackObject; place: ElementRef['place'] }> = [];
  const add = (candidate: unknown, place: ElementRef['place']) => {
    if (isRecord(candidate) && typeof candidate.type === 'string' && INTERACTIVE_ELEMENT_TYPES.has(candidate.type)) {
      found.push({ element: candidate, place });
    }
  };
  if (block.type === 'actions' && Array.isArray(block.elements)) for (const e of block.elements) add(e, 'actions');
  if (block.type === 'context_actions' && Array.isArray(block.elements)) {
    for (const e of block.elements) add(e, 'context_actions');
  }
  if (block.type === 'section') add(block.accessory, 'accessory');
  if (block.type === 'input') add(block.element, 'input');
  return found;
}

/** Every interactive element of a block list, with its (stored, so always present) block_id and action_id. */
export function interactiveElements(blocks: readonly SlackObject[]): ElementRef[] {
  const refs: ElementRef[] = [];
  blocks.forEach((block, blockIndex) => {
    for (const { element, place } of elementsOf(block)) {
      refs.push({
        blockIndex,
        block,
        element,
        place,
        blockId: String(block.block_id),
        actionId: String(element.action_id),
        type: String(element.type),
      });
    }
  });
  return refs;
}

function decorateTextObjects(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) decorateTextObjects(item);
    return;
  }
  if (!isRecord(value)) return;
  if (value.type === 'plain_text' && typeof value.text === 'string' && value.emoji === undefined) value.emoji = true;
  if (value.type === 'mrkdwn' && typeof value.text === 'string' && value.verbatim === undefined) value.verbatim = false;
  for (const child of Object.values(value)) decorateTextObjects(child);
}

/**
 * What Slack stores for a validated block list: a copy where every block has a block_id and every interactive
 * element an action_id (Slack makes up short random ones), plain_text gets `emoji: true` and mrkdwn `verbatim: false`.
 */
export function normalizeBlocks(blocks: readonly unknown[], newId: () => string): SlackObject[] {
  const copy = structuredClone(blocks).filter(isRecord);
  for (const block of copy) {
    if (typeof block.block_id !== 'string') block.block_id = newId();
    for (const { element } of elementsOf(block)) {
      if (typeof element.action_id !== 'string') element.action_id = newId();
    }
  }
  decorateTextObjects(copy);
  return copy;
}

/** All options of a select, radio group, checkbox group or overflow menu (option groups flattened). */
export function optionsOf(element: SlackObject): SlackObject[] {
  const options: SlackObject[] = [];
  if (Array.isArray(element.options)) options.push(...element.options.filter(isRecord));
  if (Array.isArray(element.option_groups)) {
    for (const group of element.option_groups) {
      if (isRecord(group) && Array.isArray(group.options)) options.push(...group.options.filter(isRecord));
    }
  }
  return options;
}

const STATELESS = new Set(['button', 'overflow', 'workflow_button', 'feedback_buttons', 'icon_button']);

export const isStateful = (type: string): boolean => !STATELESS.has(type);

/** The state entry Slack reports for an element nobody touched: its initial value, or an empty one. */
export function initialState(element: SlackObject): SlackObject {
  const type = String(element.type);
  const orNull = (value: unknown) => (value === undefined ? null : structuredClone(value));
  const orEmpty = (value: unknown) => (Array.isArray(value) ? structuredClone(value) : []);
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: orNull(element.initial_option) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: orEmpty(element.initial_options) };
    case 'users_select':
      return { type, selected_user: orNull(element.initial_user) };
    case 'multi_users_select':
      return { type, selected_users: orEmpty(element.initial_users) };
    case 'conversations_select':
      return { type, selected_conversation: orNull(element.initial_conversation) };
    case 'multi_conversations_select':
      return { type, selected_conversations: orEmpty(element.initial_conversations) };
    case 'channels_select':
      return { type, selected_channel: orNull(element.initial_channel) };
    case 'multi_channels_select':
      return { type, selected_channels: orEmpty(element.initial_channels) };
    case 'datepicker':
      return { type, selected_date: orNull(element.initial_date) };
    case 'timepicker':
      return { type, selected_time: orNull(element.initial_time) };
    case 'datetimepicker':
      return { type, selected_date_time: orNull(element.initial_date_time) };
    case 'rich_text_input':
      return { type, rich_text_value: orNull(element.initial_value) };
    case 'file_input':
      return { type, files: [] };
    default:
      return { type, value: orNull(element.initial_value) };
  }
}

/** True when a state entry holds something (a required input may be submitted). */
export function hasValue(state: SlackObject): boolean {
  for (const [key, value] of Object.entries(state)) {
    if (key === 'type') continue;
    if (Array.isArray(value)) return value.length > 0;
    return value !== null && value !== undefined && value !== '';
  }
  return false;
}

export type SimulatedInput = string | readonly string[];

export interface InputContext {
  readonly isUser: (id: string) => boolean;
}

function single(input: SimulatedInput, what: string): string {
  if (typeof input === 'string') return input;
  if (input.length === 1 && input[0] !== undefined) return input[0];
  throw new SimulatorError(`${what} takes one value, got ${input.length}`);
}

function many(input: SimulatedInput): readonly string[] {
  return typeof input === 'string' ? [input] : input;
}

function pickOption(element: SlackObject, value: string, where: string): SlackObject {
  const options = optionsOf(element);
  const option = options.find((candidate) => candidate.value === value);
  if (!option) {
    const offered = options.map((candidate) => JSON.stringify(candidate.value)).join(', ');
    throw new SimulatorError(`${where}: ${JSON.stringify(value)} is not one of the options shown (${offered})`);
  }
  return structuredClone(option);
}

/** The state entry after the simulated person chose/typed `input` in `element`, checked as Slack's client would. */
export function stateFromInput(
  element: SlackObject,
  input: SimulatedInput,
  where: string,
  ctx: InputContext,
): SlackObject {
  const type = String(element.type);
  switch (type) {
    case 'static_select':
    case 'radio_buttons':
    case 'overflow':
      return { type, selected_option: pickOption(element, single(input, where), where) };
    case 'multi_static_select':
    case 'checkboxes': {
      const selected = many(input).map((value) => pickOption(element, value, where));
      if (typeof element.max_selected_items === 'number' && selected.length > element.max_selected_items) {
        throw new SimulatorError(`${where}: at most ${element.max_selected_items} items may be selected`);
      }
      return { type, selected_options: selected };
    }
    case 'external_select': {
      const value = single(input, where);
      return { type, selected_option: { text: { type: 'plain_text', text: value, emoji: true }, value } };
    }
    case 'multi_external_select':
      return {
        type,
        selected_options: many(input).map((value) => ({
          text: { type: 'plain_text', text: value, emoji: true },
          value,
        })),
      };
    case 'users_select': {
      const user = single(input, where);
      if (!ctx.isUser(user)) throw new SimulatorError(`${where}: ${user} is not a user of the fake workspace`);
      return { type, selected_user: user };
    }
    case 'multi_users_select':
      for (const user of many(input)) {
        if (!ctx.isUser(user)) throw new SimulatorError(`${where}: ${user} is not a user of the fake workspace`);
      }
      return { type, selected_users: [...many(input)] };
    case 'conversations_select':
      return { type, selected_conversation: single(input, where) };
    case 'multi_conversations_select':
      return { type, selected_conversations: [...many(input)] };
    case 'channels_select':
      return { type, selected_channel: single(input, where) };
    case 'multi_channels_select':
      return { type, selected_channels: [...many(input)] };
    case 'plain_text_input':
      return { type, value: checkedText(element, single(input, where), where) };
    case 'email_text_input': {
      const value = single(input, where);
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) throw new SimulatorError(`${where}: not an email address`);
      return { type, value };
    }
    case 'url_text_input': {
      const value = single(input, where);
      if (!URL.canParse(value)) throw new SimulatorError(`${where}: not a URL`);
      return { type, value };
    }
    case 'number_input':
      return { type, value: checkedNumber(element, single(input, where), where) };
    case 'datepicker': {
      const value = single(input, where);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new SimulatorError(`${where}: dates are YYYY-MM-DD`);
      return { type, selected_date: value };
    }
    case 'timepicker': {
      const value = single(input, where);
      if (!/^\d{2}:\d{2}$/.test(value)) throw new SimulatorError(`${where}: times are HH:mm`);
      return { type, selected_time: value };
    }
    case 'datetimepicker': {
      const value = Number(single(input, where));
      if (!Number.isInteger(value)) throw new SimulatorError(`${where}: date-times are epoch seconds`);
      return { type, selected_date_time: value };
    }
    case 'rich_text_input': {
      const text = single(input, where);
      return {
        type,
        rich_text_value: {
          type: 'rich_text',
          elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
        },
      };
    }
    default:
      throw new SimulatorError(`${where}: a ${type} cannot take a value`);
  }
}

function checkedText(element: SlackObject, value: string, where: string): string {
  const min = typeof element.min_length === 'number' ? element.min_length : 0;
  const max = typeof element.max_length === 'number' ? element.max_length : 3000;
  if (value.length > max) throw new SimulatorError(`${where}: at most ${max} characters can be typed`);
  if (value.length > 0 && value.length < min) throw new SimulatorError(`${where}: at least ${min} characters needed`);
  if (element.multiline !== true && value.includes('\n')) {
    throw new SimulatorError(`${where}: a single-line input cannot hold a newline`);
  }
  return value;
}

function checkedNumber(element: SlackObject, value: string, where: string): string {
  const pattern = element.is_decimal_allowed === true ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/;
  if (!pattern.test(value)) throw new SimulatorError(`${where}: ${JSON.stringify(value)} is not an allowed number`);
  const number = Number(value);
  if (typeof element.min_value === 'string' && number < Number(element.min_value)) {
    throw new SimulatorError(`${where}: below min_value ${element.min_value}`);
  }
  if (typeof element.max_value === 'string' && number > Number(element.max_value)) {
    throw new SimulatorError(`${where}: above max_value ${element.max_value}`);
  }
  return value;
}

/** One entry of a block_actions payload's `actions`, as Slack writes it for this element type. */
export function blockAction(ref: ElementRef, state: SlackObject | null, actionTs: string): BlockAction {
  const { element } = ref;
  const base = { type: ref.type, action_id: ref.actionId, block_id: ref.blockId };
  if (ref.type === 'button' || ref.type === 'workflow_button') {
    const action: BlockAction = { ...base, text: structuredClone(element.text), action_ts: actionTs };
    if (element.value !== undefined) action.value = element.value;
    if (element.style !== undefined) action.style = element.style;
    if (element.url !== undefined) action.url = element.url;
    return action;
  }
  const { type: _type, ...fields } = state ?? {};
  const action: BlockAction = { ...base, ...fields, action_ts: actionTs };
  if (element.placeholder !== undefined) action.placeholder = structuredClone(element.placeholder);
  return action;
}
