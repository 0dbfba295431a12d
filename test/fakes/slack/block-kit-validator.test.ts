import { describe, expect, it } from 'vitest';
import {
  BlockKitLimits,
  blocksText,
  validateBlocks,
  validateHomeView,
  validateMessageContent,
  validateModalView,
} from './block-kit-validator.js';

const chars = (n: number): string => 'x'.repeat(n);
const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const button = (overrides: Record<string, unknown> = {}) => ({
  type: 'button',
  action_id: 'b',
  text: plain('Go'),
  ...overrides,
});
const actions = (elements: unknown[], blockId?: string) => ({
  type: 'actions',
  ...(blockId === undefined ? {} : { block_id: blockId }),
  elements,
});
const option = (value: string, text = value) => ({ text: plain(text), value });
const options = (n: number) => Array.from({ length: n }, (_, i) => option(`v${i}`));
const textInput = (actionId: string, overrides: Record<string, unknown> = {}) => ({
  type: 'input',
  block_id: `block_${actionId}`,
  label: plain('Label'),
  element: { type: 'plain_text_input', action_id: actionId, ...overrides },
});
const modal = (overrides: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: plain('Title'),
  submit: plain('Submit'),
  blocks: [section('hello')],
  ...overrides,
});

const messageErrors = (blocks: unknown[]) => validateBlocks(blocks, 'message');
const viewErrors = (view: unknown) => validateModalView(view);

/** Each rule: a case exactly at the limit (accepted) and one just over it (rejected, naming the place). */
interface LimitCase {
  readonly name: string;
  readonly check: (n: number) => string[];
  readonly limit: number;
  readonly pointer: string;
}

const limitCases: LimitCase[] = [
  {
    name: 'blocks per message',
    check: (n) => messageErrors(Array.from({ length: n }, () => ({ type: 'divider' }))),
    limit: BlockKitLimits.messageBlocks,
    pointer: '/blocks',
  },
  {
    name: 'blocks per modal',
    check: (n) => viewErrors(modal({ blocks: Array.from({ length: n }, () => ({ type: 'divider' })) })),
    limit: BlockKitLimits.modalBlocks,
    pointer: '/view/blocks',
  },
  {
    name: 'section text',
    check: (n) => messageErrors([section(chars(n))]),
    limit: 3000,
    pointer: '/blocks/0/text/text',
  },
  {
    name: 'section fields count',
    check: (n) => messageErrors([{ type: 'section', fields: Array.from({ length: n }, () => mrkdwn('f')) }]),
    limit: 10,
    pointer: '/blocks/0/fields',
  },
  {
    name: 'section field text',
    check: (n) => messageErrors([{ type: 'section', fields: [mrkdwn(chars(n))] }]),
    limit: 2000,
    pointer: '/blocks/0/fields/0/text',
  },
  {
    name: 'header text',
    check: (n) => messageErrors([{ type: 'header', text: plain(chars(n)) }]),
    limit: 150,
    pointer: '/blocks/0/text/text',
  },
  {
    name: 'context elements',
    check: (n) => messageErrors([{ type: 'context', elements: Array.from({ length: n }, () => mrkdwn('c')) }]),
    limit: 10,
    pointer: '/blocks/0/elements',
  },
  {
    name: 'actions elements',
    check: (n) => messageErrors([actions(Array.from({ length: n }, (_, i) => button({ action_id: `a${i}` })))]),
    limit: 25,
    pointer: '/blocks/0/elements',
  },
  {
    name: 'block_id',
    check: (n) => messageErrors([{ type: 'divider', block_id: chars(n) }]),
    limit: 255,
    pointer: '/blocks/0/block_id',
  },
  {
    name: 'action_id',
    check: (n) => messageErrors([actions([button({ action_id: chars(n) })])]),
    limit: 255,
    pointer: '/blocks/0/elements/0/action_id',
  },
  {
    name: 'button text',
    check: (n) => messageErrors([actions([button({ text: plain(chars(n)) })])]),
    limit: 75,
    pointer: '/blocks/0/elements/0/text/text',
  },
  {
    name: 'button value',
    check: (n) => messageErrors([actions([button({ value: chars(n) })])]),
    limit: 2000,
    pointer: '/blocks/0/elements/0/value',
  },
  {
    name: 'button url',
    check: (n) => messageErrors([actions([button({ url: `https://e.io/${chars(n - 13)}` })])]),
    limit: 3000,
    pointer: '/blocks/0/elements/0/url',
  },
  {
    name: 'static_select options',
    check: (n) =>
      messageErrors([
        actions([{ type: 'static_select', action_id: 's', placeholder: plain('p'), options: options(n) }]),
      ]),
    limit: 100,
    pointer: '/blocks/0/elements/0/options',
  },
  {
    name: 'overflow options',
    check: (n) => messageErrors([actions([{ type: 'overflow', action_id: 'o', options: options(n) }])]),
    limit: 5,
    pointer: '/blocks/0/elements/0/options',
  },
  {
    name: 'option text',
    check: (n) => messageErrors([actions([{ type: 'overflow', action_id: 'o', options: [option('v', chars(n))] }])]),
    limit: 75,
    pointer: '/blocks/0/elements/0/options/0/text/text',
  },
  {
    name: 'option value',
    check: (n) => messageErrors([actions([{ type: 'overflow', action_id: 'o', options: [option(chars(n), 't')] }])]),
    limit: 150,
    pointer: '/blocks/0/elements/0/options/0/value',
  },
  {
    name: 'modal title',
    check: (n) => viewErrors(modal({ title: plain(chars(n)) })),
    limit: 24,
    pointer: '/view/title/text',
  },
  {
    name: 'modal submit',
    check: (n) => viewErrors(modal({ submit: plain(chars(n)) })),
    limit: 24,
    pointer: '/view/submit/text',
  },
  {
    name: 'modal close',
    check: (n) => viewErrors(modal({ close: plain(chars(n)) })),
    limit: 24,
    pointer: '/view/close/text',
  },
  {
    name: 'input label',
    check: (n) => viewErrors(modal({ blocks: [{ ...textInput('t'), label: plain(chars(n)) }] })),
    limit: 2000,
    pointer: '/view/blocks/0/label/text',
  },
  {
    name: 'input placeholder',
    check: (n) => viewErrors(modal({ blocks: [textInput('t', { placeholder: plain(chars(n)) })] })),
    limit: 150,
    pointer: '/view/blocks/0/element/placeholder/text',
  },
  {
    name: 'plain_text_input max_length',
    check: (n) => viewErrors(modal({ blocks: [textInput('t', { max_length: n })] })),
    limit: 3000,
    pointer: '/view/blocks/0/element/max_length',
  },
  {
    name: 'private_metadata',
    check: (n) => viewErrors(modal({ private_metadata: chars(n) })),
    limit: 3000,
    pointer: '/view/private_metadata',
  },
  {
    name: 'callback_id',
    check: (n) => viewErrors(modal({ callback_id: chars(n) })),
    limit: 255,
    pointer: '/view/callback_id',
  },
  {
    name: 'markdown block total per message',
    check: (n) =>
      messageErrors([
        { type: 'markdown', text: chars(n - 6000) },
        { type: 'markdown', text: chars(6000) },
      ]),
    limit: 12000,
    pointer: '/blocks',
  },
];

describe('Block Kit limits', () => {
  it.each(limitCases)('$name: accepts $limit, rejects one more', ({ check, limit, pointer }) => {
    expect(check(limit)).toEqual([]);
    const errors = check(limit + 1);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((error) => error.endsWith(`[json-pointer:${pointer}]`))).toBe(true);
  });

  it('words a too-long text exactly like Slack', () => {
    expect(messageErrors([section(chars(3001))])).toEqual([
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
  });

  it('needs at least one overflow option', () => {
    expect(messageErrors([actions([{ type: 'overflow', action_id: 'o', options: options(1) }])])).toEqual([]);
    expect(messageErrors([actions([{ type: 'overflow', action_id: 'o', options: [] }])])).toEqual([
      '[ERROR] must provide at least 1 items [json-pointer:/blocks/0/elements/0/options]',
    ]);
  });

  it('rejects an empty section text and accepts a single character', () => {
    expect(messageErrors([section('x')])).toEqual([]);
    expect(messageErrors([section('')])).toEqual([
      '[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]',
    ]);
  });

  it('rejects empty text objects wherever they appear', () => {
    expect(messageErrors([actions([button({ text: plain('') })])])).toHaveLength(1);
    expect(messageErrors([{ type: 'context', elements: [mrkdwn('')] }])).toHaveLength(1);
    expect(viewErrors(modal({ title: plain('') }))).toHaveLength(1);
  });

  it('needs plain_text where Slack does', () => {
    expect(messageErrors([{ type: 'header', text: mrkdwn('Title') }])).toEqual([
      '[ERROR] must be one of: plain_text [json-pointer:/blocks/0/text/type]',
    ]);
    expect(messageErrors([actions([button({ text: mrkdwn('Go') })])])).toHaveLength(1);
    expect(viewErrors(modal({ title: mrkdwn('Title') }))).toHaveLength(1);
    expect(viewErrors(modal({ submit: mrkdwn('Go') }))).toHaveLength(1);
    expect(viewErrors(modal({ close: mrkdwn('Back') }))).toHaveLength(1);
  });

  it('rejects a misspelled text type', () => {
    expect(messageErrors([{ type: 'section', text: { type: 'markdown', text: 'hi' } }])).toEqual([
      '[ERROR] must be one of: plain_text, mrkdwn [json-pointer:/blocks/0/text/type]',
    ]);
    expect(messageErrors([{ type: 'section', text: { type: 'mrkdown', text: 'hi' } }])).toHaveLength(1);
  });
});

describe('Block Kit structure', () => {
  it('rejects a duplicate block_id in one message', () => {
    const errors = messageErrors([
      { ...section('a'), block_id: 'same' },
      { ...section('b'), block_id: 'same' },
    ]);
    expect(errors).toEqual(['[ERROR] duplicate block_id: same [json-pointer:/blocks/1/block_id]']);
    expect(
      messageErrors([
        { ...section('a'), block_id: 'one' },
        { ...section('b'), block_id: 'two' },
      ]),
    ).toEqual([]);
  });

  it('rejects a duplicate block_id in one view', () => {
    const errors = viewErrors(modal({ blocks: [textInput('a'), { ...textInput('b'), block_id: 'block_a' }] }));
    expect(errors).toEqual(['[ERROR] duplicate block_id: block_a [json-pointer:/view/blocks/1/block_id]']);
  });

  it('rejects a duplicate action_id within one block but allows it across blocks of a message', () => {
    expect(messageErrors([actions([button({ action_id: 'x' }), button({ action_id: 'x' })])])).toEqual([
      '[ERROR] duplicate action_id: x [json-pointer:/blocks/0/elements/1/action_id]',
    ]);
    expect(
      messageErrors([actions([button({ action_id: 'x' })], 'b1'), actions([button({ action_id: 'x' })], 'b2')]),
    ).toEqual([]);
  });

  it("rejects the same action_id across a view's input blocks", () => {
    expect(viewErrors(modal({ blocks: [textInput('a'), textInput('b')] }))).toEqual([]);
    const errors = viewErrors(modal({ blocks: [textInput('a'), { ...textInput('a'), block_id: 'other' }] }));
    expect(errors).toEqual(['[ERROR] duplicate action_id: a [json-pointer:/view/blocks/1/element/action_id]']);
  });

  it('rejects unknown block and element types', () => {
    expect(messageErrors([{ type: 'sektion', text: mrkdwn('x') }])).toEqual([
      '[ERROR] unsupported block type: sektion [json-pointer:/blocks/0/type]',
    ]);
    expect(messageErrors([actions([{ type: 'buton', action_id: 'b', text: plain('Go') }])])).toEqual([
      '[ERROR] unsupported element type: buton [json-pointer:/blocks/0/elements/0/type]',
    ]);
  });

  it('rejects an input block in a message and a markdown block in a modal', () => {
    expect(messageErrors([textInput('a')])).toEqual([
      '[ERROR] block type input is not allowed in messages [json-pointer:/blocks/0/type]',
    ]);
    expect(viewErrors(modal({ blocks: [{ type: 'markdown', text: 'x' }] }))).toEqual([
      '[ERROR] block type markdown is not allowed in modals [json-pointer:/view/blocks/0/type]',
    ]);
  });

  it('rejects elements that do not belong in a block', () => {
    expect(messageErrors([actions([{ type: 'plain_text_input', action_id: 'p' }])])).toHaveLength(1);
    expect(
      viewErrors(modal({ blocks: [{ type: 'input', label: plain('L'), element: button() }] })).some((e) =>
        e.includes('unsupported element type: button'),
      ),
    ).toBe(true);
  });

  it('rejects unknown properties', () => {
    expect(messageErrors([{ ...section('a'), colour: 'red' }])).toEqual([
      '[ERROR] invalid additional property: colour [json-pointer:/blocks/0]',
    ]);
    expect(messageErrors([actions([button({ emoji: true })])])).toHaveLength(1);
  });

  it('needs text or fields in a section', () => {
    expect(messageErrors([{ type: 'section' }])).toEqual([
      '[ERROR] must provide either text or fields [json-pointer:/blocks/0]',
    ]);
  });

  it('needs options or option_groups in a static_select, and initial options among them', () => {
    const select = (extra: Record<string, unknown>) => ({ type: 'static_select', action_id: 's', ...extra });
    expect(messageErrors([actions([select({})])])).toHaveLength(1);
    expect(messageErrors([actions([select({ options: options(2), initial_option: option('v1') })])])).toEqual([]);
    expect(messageErrors([actions([select({ options: options(2), initial_option: option('nope') })])])).toEqual([
      '[ERROR] must match one of the options [json-pointer:/blocks/0/elements/0/initial_option]',
    ]);
    const groups = [{ label: plain('G'), options: options(3) }];
    expect(messageErrors([actions([select({ option_groups: groups, initial_option: option('v2') })])])).toEqual([]);
  });

  it('needs submit on a modal that has inputs', () => {
    expect(viewErrors(modal({ blocks: [textInput('a')] }))).toEqual([]);
    const { submit: _ignored, ...withoutSubmit } = modal({ blocks: [textInput('a')] });
    expect(viewErrors(withoutSubmit)).toEqual([
      '[ERROR] must provide submit when the view contains input blocks [json-pointer:/view/submit]',
    ]);
  });

  it('accepts only modal views', () => {
    expect(viewErrors(modal({ type: 'home' }))).toEqual(['[ERROR] must be one of: modal [json-pointer:/view/type]']);
    expect(viewErrors({ type: 'modal', blocks: [] })).toEqual([
      '[ERROR] missing required field: title [json-pointer:/view]',
    ]);
  });

  it('accepts a realistic ticket card', () => {
    const card = [
      { type: 'header', text: plain('Ticket HD-1') },
      { type: 'section', fields: [mrkdwn('*Portal*\nprod'), mrkdwn('*Tenant*\nweb')] },
      { type: 'context', elements: [mrkdwn('Agent: ops')] },
      {
        type: 'actions',
        elements: [
          button({ action_id: 'open', text: plain('Open AI HelpDesk'), url: 'https://p.example/app' }),
          { type: 'overflow', action_id: 'menu', options: [option('update', 'Update Context')] },
        ],
      },
      { type: 'rich_text', elements: [{ type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'ls' }] }] },
      { type: 'divider' },
    ];
    expect(messageErrors(card)).toEqual([]);
  });
});

describe('message content', () => {
  it('needs text when there are no blocks', () => {
    expect(validateMessageContent({})).toEqual({ ok: false, error: 'no_text', messages: [] });
    expect(validateMessageContent({ text: '' })).toEqual({ ok: false, error: 'no_text', messages: [] });
    expect(validateMessageContent({ text: 'hi' })).toEqual({ ok: true });
    expect(validateMessageContent({ blocks: [section('hi')] })).toEqual({ ok: true });
  });

  it('rejects text over 40000 characters', () => {
    expect(validateMessageContent({ text: chars(40000) })).toEqual({ ok: true });
    expect(validateMessageContent({ text: chars(40001) })).toEqual({ ok: false, error: 'msg_too_long', messages: [] });
  });

  it('refuses more than 12,000 characters of text in all blocks (msg_blocks_too_long), each block valid', () => {
    const four = (last: number) => [
      section(chars(3000)),
      section(chars(3000)),
      section(chars(3000)),
      section(chars(last)),
    ];
    expect(validateMessageContent({ text: 'hi', blocks: four(3000) })).toEqual({ ok: true });
    const over = [...four(2999), { type: 'context', elements: [mrkdwn('xy')] }];
    expect(validateMessageContent({ text: 'hi', blocks: over })).toEqual({
      ok: false,
      error: 'msg_blocks_too_long',
      messages: [],
    });
    // Button labels, confirm dialogs and rich text count; values, ids and the top-level text do not.
    const counted = [
      section('abc'),
      actions([button({ value: chars(2000), confirm: { title: plain('t'), text: plain('sure?') } })]),
      { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'rich' }] }] },
    ];
    expect(blocksText(counted)).toBe('abc'.length + 'Go'.length + 't'.length + 'sure?'.length + 'rich'.length);
    expect(validateMessageContent({ text: chars(40000), blocks: four(3000) })).toEqual({ ok: true });
  });

  it('answers invalid_blocks with the Slack messages, and invalid_blocks_format for a non-array', () => {
    const result = validateMessageContent({ text: 'hi', blocks: [section(chars(3001))] });
    expect(result).toEqual({
      ok: false,
      error: 'invalid_blocks',
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    expect(validateMessageContent({ text: 'hi', blocks: '[{' })).toMatchObject({ error: 'invalid_blocks_format' });
  });
});

describe('Home tab views', () => {
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

  it('accepts up to 100 blocks, and inputs (Home tabs may hold dispatching inputs)', () => {
    const input = {
      type: 'input',
      dispatch_action: true,
      label: { type: 'plain_text', text: 'Search' },
      element: { type: 'plain_text_input', action_id: 'search' },
    };
    expect(validateHomeView({ type: 'home', blocks: [input] })).toEqual([]);
    const blocks = Array.from({ length: BlockKitLimits.homeBlocks }, (_, i) => section(`${i}`));
    expect(validateHomeView({ type: 'home', blocks, callback_id: 'home', private_metadata: '{}' })).toEqual([]);
    expect(validateBlocks([...blocks, section('one more')], 'home')).toEqual([
      expect.stringContaining('[json-pointer:/blocks]'),
    ]);
  });

  it('refuses modal fields, another type, message-only blocks and missing blocks', () => {
    expect(validateHomeView({ type: 'home', blocks: [], submit: { type: 'plain_text', text: 'Go' } })).toEqual([
      '[ERROR] invalid additional property: submit [json-pointer:/view]',
    ]);
    expect(validateHomeView({ type: 'modal', blocks: [] })).toEqual([
      '[ERROR] must be one of: home [json-pointer:/view/type]',
    ]);
    expect(validateHomeView({ type: 'home' })).toEqual(['[ERROR] missing required field: blocks [json-pointer:/view]']);
    expect(validateHomeView({ type: 'home', blocks: [{ type: 'markdown', text: 'x' }] })).toEqual([
      '[ERROR] block type markdown is not allowed in home tabs [json-pointer:/view/blocks/0/type]',
    ]);
  });
});
