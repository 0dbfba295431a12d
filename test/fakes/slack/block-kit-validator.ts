/**
 * A strict Block Kit validator for the fake Slack. It rejects what Slack rejects (docs/slack-platform.md §4)
 * and answers in Slack's own shape: `[ERROR] <what> [json-pointer:<where>]`. When in doubt it is strict: a lenient
 * fake hides bugs that only show up against the real workspace.
 *
 * Unknown properties are rejected too ("invalid additional property"), as Slack does.
 */

/** Where blocks are shown. Home = an App Home tab published with views.publish. */
export type BlockSurface = 'message' | 'modal' | 'home';

export const BlockKitLimits = {
  messageBlocks: 50,
  modalBlocks: 100,
  homeBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  contextActionsElements: 5,
  blockId: 255,
  actionId: 255,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  accessibilityLabel: 75,
  staticSelectOptions: 100,
  optionGroups: 100,
  overflowOptionsMin: 1,
  overflowOptionsMax: 5,
  radioOptions: 10,
  checkboxOptions: 10,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  optionUrl: 3000,
  optionGroupLabel: 75,
  modalTitle: 24,
  modalSubmit: 24,
  modalClose: 24,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInputLength: 3000,
  markdownTotal: 12000,
  /**
   * Text in all of a message's blocks (`msg_blocks_too_long`). Undocumented: a Slack maintainer gave "12,000 text
   * characters with a buffer for block containers" (bolt-js#2509, where markdown-only messages failed past 13,297
   * characters and 13,172 with one divider). The fake refuses past 12,000, with no buffer: stricter than seen.
   */
  messageBlocksText: 12000,
  messageText: 40000,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  imageAltText: 2000,
  imageUrl: 3000,
  viewBytes: 250_000,
} as const;

const L = BlockKitLimits;

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Block types Slack knows. The first group is validated in depth; the rest only for shape and block_id. */
const DEEP_BLOCKS = new Set([
  'section',
  'header',
  'context',
  'actions',
  'divider',
  'input',
  'markdown',
  'rich_text',
  'image',
  'context_actions',
]);
const SHALLOW_BLOCKS = new Set([
  'video',
  'file',
  'table',
  'alert',
  'card',
  'carousel',
  'container',
  'data_table',
  'task_card',
  'plan',
]);
const MESSAGE_ONLY_BLOCKS = new Set(['markdown', 'file', 'context_actions', 'table', 'task_card', 'plan']);
/**
 * Input blocks live in views: modals, and Home tabs too (docs.slack.dev/reference/block-kit/blocks/input-block; a Home
 * tab has no submit, so only `dispatch_action` inputs ever reach the app). The fake refuses them in messages.
 */
const VIEW_ONLY_BLOCKS = new Set(['input']);

const SELECTS = [
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
];
const ACTIONS_ELEMENTS = new Set([
  'button',
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'timepicker',
  'radio_buttons',
  'overflow',
  'workflow_button',
  'rich_text_input',
  ...SELECTS,
]);
const ACCESSORY_ELEMENTS = new Set([
  'button',
  'checkboxes',
  'datepicker',
  'image',
  'overflow',
  'radio_buttons',
  'timepicker',
  'workflow_button',
  ...SELECTS,
]);
const INPUT_ELEMENTS = new Set([
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'file_input',
  'number_input',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'timepicker',
  'url_text_input',
  ...SELECTS,
]);

/** Interactive elements (those that carry an action_id). */
export const INTERACTIVE_ELEMENT_TYPES: ReadonlySet<string> = new Set([
  ...ACTIONS_ELEMENTS,
  ...INPUT_ELEMENTS,
  'feedback_buttons',
  'icon_button',
]);

const COMMON_ELEMENT_KEYS = ['type', 'action_id'];
const ELEMENT_KEYS: Record<string, readonly string[]> = {
  button: ['text', 'value', 'url', 'style', 'confirm', 'accessibility_label'],
  checkboxes: ['options', 'initial_options', 'confirm', 'focus_on_load'],
  datepicker: ['initial_date', 'placeholder', 'confirm', 'focus_on_load'],
  datetimepicker: ['initial_date_time', 'confirm', 'focus_on_load'],
  timepicker: ['initial_time', 'timezone', 'placeholder', 'confirm', 'focus_on_load'],
  radio_buttons: ['options', 'initial_option', 'confirm', 'focus_on_load'],
  overflow: ['options', 'confirm'],
  workflow_button: ['text', 'workflow', 'style', 'accessibility_label'],
  rich_text_input: [
    'initial_value',
    'dispatch_action_config',
    'focus_on_load',
    'placeholder',
    'min_lines',
    'max_lines',
  ],
  static_select: ['placeholder', 'options', 'option_groups', 'initial_option', 'confirm', 'focus_on_load'],
  multi_static_select: [
    'placeholder',
    'options',
    'option_groups',
    'initial_options',
    'confirm',
    'focus_on_load',
    'max_selected_items',
  ],
  external_select: ['placeholder', 'initial_option', 'min_query_length', 'confirm', 'focus_on_load'],
  multi_external_select: [
    'placeholder',
    'initial_options',
    'min_query_length',
    'confirm',
    'focus_on_load',
    'max_selected_items',
  ],
  users_select: ['placeholder', 'initial_user', 'confirm', 'focus_on_load'],
  multi_users_select: ['placeholder', 'initial_users', 'confirm', 'focus_on_load', 'max_selected_items'],
  conversations_select: [
    'placeholder',
    'initial_conversation',
    'default_to_current_conversation',
    'filter',
    'response_url_enabled',
    'confirm',
    'focus_on_load',
  ],
  multi_conversations_select: [
    'placeholder',
    'initial_conversations',
    'default_to_current_conversation',
    'filter',
    'confirm',
    'focus_on_load',
    'max_selected_items',
  ],
  channels_select: ['placeholder', 'initial_channel', 'response_url_enabled', 'confirm', 'focus_on_load'],
  multi_channels_select: ['placeholder', 'initial_channels', 'confirm', 'focus_on_load', 'max_selected_items'],
  plain_text_input: [
    'placeholder',
    'initial_value',
    'multiline',
    'min_length',
    'max_length',
    'dispatch_action_config',
    'focus_on_load',
  ],
  email_text_input: ['placeholder', 'initial_value', 'dispatch_action_config', 'focus_on_load'],
  url_text_input: ['placeholder', 'initial_value', 'dispatch_action_config', 'focus_on_load'],
  number_input: [
    'placeholder',
    'is_decimal_allowed',
    'initial_value',
    'min_value',
    'max_value',
    'dispatch_action_config',
    'focus_on_load',
  ],
  file_input: ['filetypes', 'max_files'],
  image: ['image_url', 'slack_file', 'alt_text'],
  feedback_buttons: ['positive_button', 'negative_button'],
  icon_button: ['icon', 'text', 'accessibility_label', 'value', 'visible_to_user_ids', 'confirm'],
};

const BLOCK_KEYS: Record<string, readonly string[]> = {
  section: ['text', 'fields', 'accessory', 'expand'],
  header: ['text'],
  context: ['elements'],
  actions: ['elements'],
  divider: [],
  input: ['label', 'element', 'hint', 'optional', 'dispatch_action'],
  markdown: ['text'],
  rich_text: ['elements'],
  image: ['image_url', 'slack_file', 'alt_text', 'title'],
  context_actions: ['elements'],
};

const MODAL_KEYS = [
  'type',
  'title',
  'blocks',
  'close',
  'submit',
  'private_metadata',
  'callback_id',
  'clear_on_close',
  'notify_on_close',
  'external_id',
  'submit_disabled',
];

/** Home tab view fields (docs.slack.dev/reference/views/home-tab-views): no title, submit or close. */
const HOME_KEYS = ['type', 'blocks', 'private_metadata', 'callback_id', 'external_id'];

const RICH_TEXT_CHILDREN = new Set([
  'rich_text_section',
  'rich_text_list',
  'rich_text_quote',
  'rich_text_preformatted',
]);

class Checker {
  readonly messages: string[] = [];
  markdownTotal = 0;

  constructor(readonly surface: BlockSurface) {}

  error(pointer: string, message: string): void {
    this.messages.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }

  /** Checks `value` is an object with only `allowed` keys and the `required` ones present. */
  object(value: unknown, pointer: string, allowed: readonly string[], required: readonly string[] = []): value is Json {
    if (!isRecord(value)) {
      this.error(pointer, 'must be an object');
      return false;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.error(pointer, `invalid additional property: ${key}`);
    }
    for (const key of required) {
      if (value[key] === undefined) this.error(pointer, `missing required field: ${key}`);
    }
    return true;
  }

  string(value: unknown, pointer: string, max: number, min = 0): value is string {
    if (typeof value !== 'string') {
      this.error(pointer, 'must be a string');
      return false;
    }
    if (value.length > max) this.error(pointer, `must be less than ${max + 1} characters`);
    if (value.length < min) this.error(pointer, `must be more than ${min - 1} characters`);
    return true;
  }

  optionalString(value: unknown, pointer: string, max: number, min = 0): void {
    if (value !== undefined) this.string(value, pointer, max, min);
  }

  boolean(value: unknown, pointer: string): void {
    if (value !== undefined && typeof value !== 'boolean') this.error(pointer, 'must be a boolean');
  }

  integer(value: unknown, pointer: string, min: number, max: number): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.error(pointer, 'must be an integer');
      return;
    }
    if (value < min) this.error(pointer, `must be greater than or equal to ${min}`);
    if (value > max) this.error(pointer, `must be less than or equal to ${max}`);
  }

  array(value: unknown, pointer: string, min: number, max: number): value is unknown[] {
    if (!Array.isArray(value)) {
      this.error(pointer, 'must be an array');
      return false;
    }
    if (value.length > max) this.error(pointer, `no more than ${max} items allowed`);
    if (value.length < min) this.error(pointer, `must provide at least ${min} items`);
    return true;
  }

  enumValue(value: unknown, pointer: string, allowed: readonly string[]): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.error(pointer, `must be one of: ${allowed.join(', ')}`);
    }
  }

  /** A text composition object: `plain_text` or `mrkdwn`, 1..max characters. */
  text(value: unknown, pointer: string, max: number, plainOnly: boolean): void {
    if (!isRecord(value)) {
      this.error(pointer, 'must be an object');
      return;
    }
    const type = value.type;
    if (type !== 'plain_text' && type !== 'mrkdwn') {
      this.error(`${pointer}/type`, plainOnly ? 'must be one of: plain_text' : 'must be one of: plain_text, mrkdwn');
      return;
    }
    if (plainOnly && type !== 'plain_text') {
      this.error(`${pointer}/type`, 'must be one of: plain_text');
      return;
    }
    this.object(value, pointer, type === 'plain_text' ? ['type', 'text', 'emoji'] : ['type', 'text', 'verbatim'], [
      'text',
    ]);
    if (value.text !== undefined) this.string(value.text, `${pointer}/text`, max, 1);
    this.boolean(value.emoji, `${pointer}/emoji`);
    this.boolean(value.verbatim, `${pointer}/verbatim`);
  }

  optionalText(value: unknown, pointer: string, max: number, plainOnly: boolean): void {
    if (value !== undefined) this.text(value, pointer, max, plainOnly);
  }

  confirm(value: unknown, pointer: string): void {
    if (value === undefined) return;
    if (!this.object(value, pointer, ['title', 'text', 'confirm', 'deny', 'style'], ['text'])) return;
    this.optionalText(value.title, `${pointer}/title`, L.confirmTitle, true);
    this.optionalText(value.text, `${pointer}/text`, L.confirmText, false);
    this.optionalText(value.confirm, `${pointer}/confirm`, L.confirmButton, true);
    this.optionalText(value.deny, `${pointer}/deny`, L.confirmButton, true);
    this.enumValue(value.style, `${pointer}/style`, ['primary', 'danger']);
  }

  option(value: unknown, pointer: string, opts: { plainOnly: boolean; allowUrl: boolean }): void {
    const allowed = ['text', 'value', 'description', ...(opts.allowUrl ? ['url'] : [])];
    if (!this.object(value, pointer, allowed, ['text', 'value'])) return;
    if (value.text !== undefined) this.text(value.text, `${pointer}/text`, L.optionText, opts.plainOnly);
    if (value.value !== undefined) this.string(value.value, `${pointer}/value`, L.optionValue, 1);
    this.optionalText(value.description, `${pointer}/description`, L.optionDescription, true);
    this.optionalString(value.url, `${pointer}/url`, L.optionUrl, 1);
  }

  options(value: unknown, pointer: string, min: number, max: number, plainOnly: boolean, allowUrl = false): void {
    if (!this.array(value, pointer, min, max)) return;
    const seen = new Set<string>();
    value.forEach((option, index) => {
      this.option(option, `${pointer}/${index}`, { plainOnly, allowUrl });
      if (isRecord(option) && typeof option.value === 'string') {
        if (seen.has(option.value)) this.error(`${pointer}/${index}/value`, `duplicate option value: ${option.value}`);
        seen.add(option.value);
      }
    });
  }

  placeholder(value: unknown, pointer: string): void {
    this.optionalText(value, pointer, L.placeholder, true);
  }

  actionId(value: unknown, pointer: string): void {
    this.optionalString(value, pointer, L.actionId, 1);
  }

  imageSource(value: Json, pointer: string): void {
    const hasUrl = value.image_url !== undefined;
    const hasFile = value.slack_file !== undefined;
    if (hasUrl === hasFile) {
      this.error(pointer, 'must provide exactly one of image_url or slack_file');
      return;
    }
    if (hasUrl) this.string(value.image_url, `${pointer}/image_url`, L.imageUrl, 1);
    if (hasFile) this.object(value.slack_file, `${pointer}/slack_file`, ['url', 'id']);
  }

  element(value: unknown, pointer: string, allowedTypes: ReadonlySet<string>): void {
    if (!isRecord(value)) {
      this.error(pointer, 'must be an object');
      return;
    }
    const type = value.type;
    if (typeof type !== 'string' || !allowedTypes.has(type)) {
      this.error(`${pointer}/type`, `unsupported element type: ${String(type)}`);
      return;
    }
    const specific = ELEMENT_KEYS[type] ?? [];
    const keys = type === 'image' ? ['type', ...specific] : [...COMMON_ELEMENT_KEYS, ...specific];
    this.object(value, pointer, keys);
    if (type !== 'image') this.actionId(value.action_id, `${pointer}/action_id`);
    this.confirm(value.confirm, `${pointer}/confirm`);
    this.boolean(value.focus_on_load, `${pointer}/focus_on_load`);
    if ('placeholder' in value) this.placeholder(value.placeholder, `${pointer}/placeholder`);
    this.elementSpecifics(type, value, pointer);
  }

  private elementSpecifics(type: string, value: Json, pointer: string): void {
    switch (type) {
      case 'button':
        if (value.text === undefined) this.error(pointer, 'missing required field: text');
        else this.text(value.text, `${pointer}/text`, L.buttonText, true);
        this.optionalString(value.value, `${pointer}/value`, L.buttonValue, 1);
        this.optionalString(value.url, `${pointer}/url`, L.buttonUrl, 1);
        this.enumValue(value.style, `${pointer}/style`, ['primary', 'danger']);
        this.optionalString(value.accessibility_label, `${pointer}/accessibility_label`, L.accessibilityLabel, 1);
        return;
      case 'static_select':
      case 'multi_static_select':
        this.staticSelect(type, value, pointer);
        return;
      case 'external_select':
      case 'multi_external_select':
        this.integer(value.min_query_length, `${pointer}/min_query_length`, 0, 1000);
        if (value.initial_option !== undefined) {
          this.option(value.initial_option, `${pointer}/initial_option`, { plainOnly: true, allowUrl: false });
        }
        this.integer(value.max_selected_items, `${pointer}/max_selected_items`, 1, 100);
        return;
      case 'overflow':
        if (value.options === undefined) this.error(pointer, 'missing required field: options');
        else this.options(value.options, `${pointer}/options`, L.overflowOptionsMin, L.overflowOptionsMax, true, true);
        return;
      case 'radio_buttons':
      case 'checkboxes':
        this.choiceGroup(type, value, pointer);
        return;
      case 'plain_text_input':
        this.integer(value.min_length, `${pointer}/min_length`, 0, L.plainTextInputLength);
        this.integer(value.max_length, `${pointer}/max_length`, 1, L.plainTextInputLength);
        if (
          typeof value.min_length === 'number' &&
          typeof value.max_length === 'number' &&
          value.min_length > value.max_length
        ) {
          this.error(`${pointer}/min_length`, 'must be less than or equal to max_length');
        }
        this.optionalString(value.initial_value, `${pointer}/initial_value`, L.plainTextInputLength);
        this.boolean(value.multiline, `${pointer}/multiline`);
        this.dispatchConfig(value.dispatch_action_config, `${pointer}/dispatch_action_config`);
        return;
      case 'email_text_input':
      case 'url_text_input':
      case 'number_input':
        this.dispatchConfig(value.dispatch_action_config, `${pointer}/dispatch_action_config`);
        if (type === 'number_input' && typeof value.is_decimal_allowed !== 'boolean') {
          this.error(pointer, 'missing required field: is_decimal_allowed');
        }
        return;
      case 'datepicker':
        if (value.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(value.initial_date))) {
          this.error(`${pointer}/initial_date`, 'must match format YYYY-MM-DD');
        }
        return;
      case 'timepicker':
        if (value.initial_time !== undefined && !/^\d{2}:\d{2}$/.test(String(value.initial_time))) {
          this.error(`${pointer}/initial_time`, 'must match format HH:mm');
        }
        return;
      case 'image':
        this.imageSource(value, pointer);
        if (value.alt_text === undefined) this.error(pointer, 'missing required field: alt_text');
        else this.string(value.alt_text, `${pointer}/alt_text`, L.imageAltText, 1);
        return;
      case 'workflow_button':
        if (value.text === undefined) this.error(pointer, 'missing required field: text');
        else this.text(value.text, `${pointer}/text`, L.buttonText, true);
        return;
      default:
        return;
    }
  }

  private staticSelect(type: string, value: Json, pointer: string): void {
    const hasOptions = value.options !== undefined;
    const hasGroups = value.option_groups !== undefined;
    if (hasOptions === hasGroups) {
      this.error(pointer, 'must provide exactly one of options or option_groups');
    }
    const all: Json[] = [];
    if (hasOptions) {
      this.options(value.options, `${pointer}/options`, 1, L.staticSelectOptions, true);
      if (Array.isArray(value.options)) all.push(...value.options.filter(isRecord));
    }
    if (hasGroups && this.array(value.option_groups, `${pointer}/option_groups`, 1, L.optionGroups)) {
      value.option_groups.forEach((group, index) => {
        const groupPointer = `${pointer}/option_groups/${index}`;
        if (!this.object(group, groupPointer, ['label', 'options'], ['label', 'options'])) return;
        if (group.label !== undefined) this.text(group.label, `${groupPointer}/label`, L.optionGroupLabel, true);
        if (group.options !== undefined) {
          this.options(group.options, `${groupPointer}/options`, 1, L.staticSelectOptions, true);
          if (Array.isArray(group.options)) all.push(...group.options.filter(isRecord));
        }
      });
    }
    if (type === 'static_select' && value.initial_option !== undefined) {
      this.option(value.initial_option, `${pointer}/initial_option`, { plainOnly: true, allowUrl: false });
      if (!matchesAnOption(value.initial_option, all)) {
        this.error(`${pointer}/initial_option`, 'must match one of the options');
      }
    }
    if (type === 'multi_static_select') {
      this.integer(value.max_selected_items, `${pointer}/max_selected_items`, 1, 100);
      this.initialOptions(value.initial_options, `${pointer}/initial_options`, all);
    }
  }

  private choiceGroup(type: string, value: Json, pointer: string): void {
    const max = type === 'radio_buttons' ? L.radioOptions : L.checkboxOptions;
    if (value.options === undefined) {
      this.error(pointer, 'missing required field: options');
      return;
    }
    this.options(value.options, `${pointer}/options`, 1, max, false);
    const all = Array.isArray(value.options) ? value.options.filter(isRecord) : [];
    if (type === 'radio_buttons' && value.initial_option !== undefined) {
      this.option(value.initial_option, `${pointer}/initial_option`, { plainOnly: false, allowUrl: false });
      if (!matchesAnOption(value.initial_option, all)) {
        this.error(`${pointer}/initial_option`, 'must match one of the options');
      }
    }
    if (type === 'checkboxes') this.initialOptions(value.initial_options, `${pointer}/initial_options`, all);
  }

  private initialOptions(value: unknown, pointer: string, all: Json[]): void {
    if (value === undefined) return;
    if (!this.array(value, pointer, 0, all.length || 1)) return;
    value.forEach((option, index) => {
      if (!matchesAnOption(option, all)) this.error(`${pointer}/${index}`, 'must match one of the options');
    });
  }

  private dispatchConfig(value: unknown, pointer: string): void {
    if (value === undefined) return;
    if (!this.object(value, pointer, ['trigger_actions_on'])) return;
    if (value.trigger_actions_on === undefined) return;
    if (!this.array(value.trigger_actions_on, `${pointer}/trigger_actions_on`, 1, 2)) return;
    value.trigger_actions_on.forEach((trigger, index) => {
      this.enumValue(trigger, `${pointer}/trigger_actions_on/${index}`, ['on_enter_pressed', 'on_character_entered']);
    });
  }

  block(value: unknown, pointer: string): void {
    if (!isRecord(value)) {
      this.error(pointer, 'must be an object');
      return;
    }
    const type = value.type;
    if (typeof type !== 'string' || (!DEEP_BLOCKS.has(type) && !SHALLOW_BLOCKS.has(type))) {
      this.error(`${pointer}/type`, `unsupported block type: ${String(type)}`);
      return;
    }
    if (this.surface === 'message' && VIEW_ONLY_BLOCKS.has(type)) {
      this.error(`${pointer}/type`, `block type ${type} is not allowed in messages`);
      return;
    }
    if (this.surface !== 'message' && MESSAGE_ONLY_BLOCKS.has(type)) {
      this.error(
        `${pointer}/type`,
        `block type ${type} is not allowed in ${this.surface === 'home' ? 'home tabs' : 'modals'}`,
      );
      return;
    }
    this.optionalString(value.block_id, `${pointer}/block_id`, L.blockId, 1);
    if (SHALLOW_BLOCKS.has(type)) return;
    this.object(value, pointer, ['type', 'block_id', ...(BLOCK_KEYS[type] ?? [])]);
    switch (type) {
      case 'section':
        this.section(value, pointer);
        return;
      case 'header':
        if (value.text === undefined) this.error(pointer, 'missing required field: text');
        else this.text(value.text, `${pointer}/text`, L.headerText, true);
        return;
      case 'context':
        if (value.elements === undefined) {
          this.error(pointer, 'missing required field: elements');
          return;
        }
        if (!this.array(value.elements, `${pointer}/elements`, 1, L.contextElements)) return;
        value.elements.forEach((element, index) => {
          const elementPointer = `${pointer}/elements/${index}`;
          if (isRecord(element) && element.type === 'image') this.element(element, elementPointer, new Set(['image']));
          else this.text(element, elementPointer, L.sectionText, false);
        });
        return;
      case 'actions':
        this.elements(value, pointer, ACTIONS_ELEMENTS, L.actionsElements);
        return;
      case 'context_actions':
        this.elements(value, pointer, new Set(['feedback_buttons', 'icon_button']), L.contextActionsElements);
        return;
      case 'input':
        this.input(value, pointer);
        return;
      case 'markdown':
        if (this.string(value.text, `${pointer}/text`, L.markdownTotal, 1)) this.markdownTotal += value.text.length;
        return;
      case 'rich_text':
        if (value.elements === undefined) {
          this.error(pointer, 'missing required field: elements');
          return;
        }
        if (!this.array(value.elements, `${pointer}/elements`, 1, 100)) return;
        value.elements.forEach((element, index) => {
          if (!isRecord(element) || typeof element.type !== 'string' || !RICH_TEXT_CHILDREN.has(element.type)) {
            this.error(`${pointer}/elements/${index}/type`, 'unsupported rich text element type');
          }
        });
        return;
      case 'image':
        this.imageSource(value, pointer);
        if (value.alt_text === undefined) this.error(pointer, 'missing required field: alt_text');
        else this.string(value.alt_text, `${pointer}/alt_text`, L.imageAltText, 1);
        this.optionalText(value.title, `${pointer}/title`, L.imageAltText, true);
        return;
      default:
        return;
    }
  }

  private section(value: Json, pointer: string): void {
    if (value.text === undefined && value.fields === undefined) {
      this.error(pointer, 'must provide either text or fields');
    }
    this.optionalText(value.text, `${pointer}/text`, L.sectionText, false);
    if (value.fields !== undefined && this.array(value.fields, `${pointer}/fields`, 1, L.sectionFields)) {
      value.fields.forEach((field, index) => {
        this.text(field, `${pointer}/fields/${index}`, L.sectionFieldText, false);
      });
    }
    if (value.accessory !== undefined) this.element(value.accessory, `${pointer}/accessory`, ACCESSORY_ELEMENTS);
    this.boolean(value.expand, `${pointer}/expand`);
  }

  private elements(value: Json, pointer: string, allowed: ReadonlySet<string>, max: number): void {
    if (value.elements === undefined) {
      this.error(pointer, 'missing required field: elements');
      return;
    }
    if (!this.array(value.elements, `${pointer}/elements`, 1, max)) return;
    const seen = new Set<string>();
    value.elements.forEach((element, index) => {
      const elementPointer = `${pointer}/elements/${index}`;
      this.element(element, elementPointer, allowed);
      if (isRecord(element) && typeof element.action_id === 'string') {
        if (seen.has(element.action_id)) {
          this.error(`${elementPointer}/action_id`, `duplicate action_id: ${element.action_id}`);
        }
        seen.add(element.action_id);
      }
    });
  }

  private input(value: Json, pointer: string): void {
    if (value.label === undefined) this.error(pointer, 'missing required field: label');
    else this.text(value.label, `${pointer}/label`, L.inputLabel, true);
    this.optionalText(value.hint, `${pointer}/hint`, L.inputHint, true);
    this.boolean(value.optional, `${pointer}/optional`);
    this.boolean(value.dispatch_action, `${pointer}/dispatch_action`);
    if (value.element === undefined) this.error(pointer, 'missing required field: element');
    else this.element(value.element, `${pointer}/element`, INPUT_ELEMENTS);
  }
}

function matchesAnOption(candidate: unknown, options: Json[]): boolean {
  if (!isRecord(candidate)) return false;
  const text = isRecord(candidate.text) ? candidate.text.text : undefined;
  return options.some(
    (option) => option.value === candidate.value && isRecord(option.text) && option.text.text === text,
  );
}

function checkBlockList(checker: Checker, blocks: unknown, pointer: string, max: number): void {
  if (!checker.array(blocks, pointer, 0, max)) return;
  const blockIds = new Set<string>();
  const inputActionIds = new Set<string>();
  blocks.forEach((block, index) => {
    const blockPointer = `${pointer}/${index}`;
    checker.block(block, blockPointer);
    if (!isRecord(block)) return;
    if (typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) {
        checker.error(`${blockPointer}/block_id`, `duplicate block_id: ${block.block_id}`);
      }
      blockIds.add(block.block_id);
    }
    // Slack reads view_submission values by block_id/action_id; repeated input action_ids are refused in a view.
    if (block.type === 'input' && isRecord(block.element) && typeof block.element.action_id === 'string') {
      const actionId = block.element.action_id;
      if (inputActionIds.has(actionId)) {
        checker.error(`${blockPointer}/element/action_id`, `duplicate action_id: ${actionId}`);
      }
      inputActionIds.add(actionId);
    }
  });
  if (checker.markdownTotal > L.markdownTotal) {
    checker.error(pointer, `markdown blocks must be less than ${L.markdownTotal + 1} characters in total`);
  }
}

/**
 * The text characters in blocks as counted against `messageBlocksText`: every string under a `text` key (text
 * objects, markdown blocks, rich text elements), however deep.
 */
export function blocksText(blocks: unknown): number {
  if (typeof blocks === 'string') return 0;
  if (Array.isArray(blocks)) return blocks.reduce((sum: number, entry) => sum + blocksText(entry), 0);
  if (!isRecord(blocks)) return 0;
  let sum = 0;
  for (const [key, value] of Object.entries(blocks)) {
    sum += key === 'text' && typeof value === 'string' ? value.length : blocksText(value);
  }
  return sum;
}

/** Validates a message's `blocks` array. Returns Slack-style `[ERROR] ...` lines; empty means valid. */
export function validateBlocks(blocks: unknown, surface: BlockSurface, pointer = '/blocks'): string[] {
  const checker = new Checker(surface);
  const max = surface === 'message' ? L.messageBlocks : surface === 'home' ? L.homeBlocks : L.modalBlocks;
  checkBlockList(checker, blocks, pointer, max);
  return checker.messages;
}

/** Validates a Home tab view as views.publish receives it. Returns `[ERROR] ...` lines; empty means valid. */
export function validateHomeView(view: unknown, pointer = '/view'): string[] {
  const checker = new Checker('home');
  if (!checker.object(view, pointer, HOME_KEYS, ['type', 'blocks'])) return checker.messages;
  if (view.type !== 'home') {
    checker.error(`${pointer}/type`, 'must be one of: home');
    return checker.messages;
  }
  checker.optionalString(view.private_metadata, `${pointer}/private_metadata`, L.privateMetadata);
  checker.optionalString(view.callback_id, `${pointer}/callback_id`, L.callbackId);
  checker.optionalString(view.external_id, `${pointer}/external_id`, L.externalId);
  if (view.blocks !== undefined) checkBlockList(checker, view.blocks, `${pointer}/blocks`, L.homeBlocks);
  return checker.messages;
}

/** Validates a modal view as views.open/update/push receive it. Returns `[ERROR] ...` lines; empty means valid. */
export function validateModalView(view: unknown, pointer = '/view'): string[] {
  const checker = new Checker('modal');
  if (!checker.object(view, pointer, MODAL_KEYS, ['type', 'title', 'blocks'])) return checker.messages;
  if (view.type !== 'modal') {
    checker.error(`${pointer}/type`, 'must be one of: modal');
    return checker.messages;
  }
  if (view.title !== undefined) checker.text(view.title, `${pointer}/title`, L.modalTitle, true);
  checker.optionalText(view.submit, `${pointer}/submit`, L.modalSubmit, true);
  checker.optionalText(view.close, `${pointer}/close`, L.modalClose, true);
  checker.optionalString(view.private_metadata, `${pointer}/private_metadata`, L.privateMetadata);
  checker.optionalString(view.callback_id, `${pointer}/callback_id`, L.callbackId);
  checker.optionalString(view.external_id, `${pointer}/external_id`, L.externalId);
  checker.boolean(view.clear_on_close, `${pointer}/clear_on_close`);
  checker.boolean(view.notify_on_close, `${pointer}/notify_on_close`);
  checker.boolean(view.submit_disabled, `${pointer}/submit_disabled`);
  if (view.blocks !== undefined) {
    checkBlockList(checker, view.blocks, `${pointer}/blocks`, L.modalBlocks);
    const hasInput =
      Array.isArray(view.blocks) && view.blocks.some((block) => isRecord(block) && block.type === 'input');
    if (hasInput && view.submit === undefined) {
      checker.error(`${pointer}/submit`, 'must provide submit when the view contains input blocks');
    }
  }
  return checker.messages;
}

export type MessageContentError =
  | 'no_text'
  | 'msg_too_long'
  | 'msg_blocks_too_long'
  | 'invalid_blocks'
  | 'invalid_blocks_format'
  | 'invalid_arguments';

export type MessageContentCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: MessageContentError; readonly messages: readonly string[] };

/**
 * Checks what chat.postMessage / chat.update / chat.postEphemeral / response_url would store: `text` and/or
 * `blocks` (already JSON-parsed; a string here means Slack could not parse it as a list of blocks).
 */
export function validateMessageContent(content: {
  readonly text?: unknown;
  readonly blocks?: unknown;
  readonly attachments?: unknown;
}): MessageContentCheck {
  const { text, blocks, attachments } = content;
  if (blocks !== undefined && !Array.isArray(blocks)) {
    return { ok: false, error: 'invalid_blocks_format', messages: ['[ERROR] must be an array [json-pointer:/blocks]'] };
  }
  if (text !== undefined && typeof text !== 'string') {
    return { ok: false, error: 'invalid_arguments', messages: ['[ERROR] must be a string [json-pointer:/text]'] };
  }
  if (blocks !== undefined) {
    const messages = validateBlocks(blocks, 'message');
    if (messages.length > 0) return { ok: false, error: 'invalid_blocks', messages };
    // Slack names no place and no count for this one (bolt-js#2867).
    if (blocksText(blocks) > L.messageBlocksText) return { ok: false, error: 'msg_blocks_too_long', messages: [] };
  }
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(attachments) && attachments.length > 0;
  if ((text === undefined || text === '') && !hasBlocks && !hasAttachments) {
    return { ok: false, error: 'no_text', messages: [] };
  }
  if (typeof text === 'string' && text.length > L.messageText) {
    return { ok: false, error: 'msg_too_long', messages: [] };
  }
  return { ok: true };
}
