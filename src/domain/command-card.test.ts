import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  approvalEcho,
  type CardChoice,
  type CardItem,
  type CardStatus,
  CardStatuses,
  type CommandCard,
  canTransition,
  cardItemsFrom,
  carriesHiddenCharacters,
  checkDecision,
  checkShown,
  checkSubmit,
  commandDigest,
  type Decision,
  DefaultRejectionReason,
  describeDecisions,
  echoWords,
  hiddenCharactersIn,
  ItemTextLimit,
  isTerminal,
  mergeChoices,
  summarizeDecisions,
  Transitions,
} from './command-card.js';
import { DomainError } from './errors.js';
import { emptyMessageData, type MessageData } from './messages.js';

const createdAt = new Date('2026-03-02T09:00:00Z');
const expiresAt = new Date('2026-03-02T09:30:00Z');
const before = new Date('2026-03-02T09:10:00Z');

const getPods = 'kubectl get pods -n duploservices-dev';
const restart = 'kubectl rollout restart deployment/web -n duploservices-dev';

const cmdItem = (command: string): CardItem => ({ kind: 'cmd', text: command, raw: { command, execute: false } });

const toolRaw = {
  id: 'call-1',
  name: 'scale_deployment',
  input: { name: 'web', replicas: 3 },
  execute: false,
  tool_description: 'Scales a deployment',
  input_description: { name: 'deployment', replicas: 'count' },
};
const approvalRaw = { id: 'ap-1', description: 'Delete the stale load balancer', execute: false };

const card = (overrides: Partial<CommandCard> = {}): CommandCard => ({
  id: 'card-1',
  linkId: '1',
  thread: { teamId: 'T1', channelId: 'C1', threadTs: '1700000000.000100' },
  portal: 'acme',
  spaceId: 'tenant-dev',
  ticketName: 'dev-260302090000',
  agentId: 'k8s-1',
  permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
  items: [cmdItem(getPods), cmdItem(restart)],
  createdAt,
  expiresAt,
  status: 'pending',
  messageTs: null,
  choices: {},
  submittedBy: null,
  submittedAt: null,
  updatedAt: createdAt,
  outcome: null,
  ...overrides,
});

const choice = (decision: Decision, reason?: string): CardChoice => ({
  decision,
  ...(reason === undefined ? {} : { reason }),
  by: 'U1',
  at: before,
});

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
};

const data = (partial: Partial<MessageData>): MessageData => ({ ...emptyMessageData(), ...partial });

describe('card transitions', () => {
  const allowed: ReadonlyArray<readonly [CardStatus, CardStatus]> = [
    ['pending', 'submitted'],
    ['pending', 'expired'],
    ['submitted', 'executed'],
    ['submitted', 'failed'],
  ];
  const key = (from: CardStatus, to: CardStatus) => `${from}->${to}`;
  const allowedKeys = new Set(allowed.map(([from, to]) => key(from, to)));

  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  const refused = CardStatuses.flatMap((from) =>
    CardStatuses.filter((to) => !allowedKeys.has(key(from, to))).map((to) => [from, to] as const),
  );

  it('refuses every other pair, including staying put', () => {
    expect(refused).toHaveLength(CardStatuses.length * CardStatuses.length - allowed.length);
    expect(refused).toContainEqual(['pending', 'pending']);
    expect(refused).toContainEqual(['pending', 'executed']);
    expect(refused).toContainEqual(['submitted', 'pending']);
    expect(refused).toContainEqual(['expired', 'pending']);
  });

  it.each(refused)('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('has exactly executed, failed and expired as terminal states, with no way out of them', () => {
    expect(CardStatuses.filter(isTerminal)).toEqual(['executed', 'failed', 'expired']);
    for (const status of ['executed', 'failed', 'expired'] as const) expect(Transitions[status]).toEqual([]);
  });
});

describe('cardItemsFrom', () => {
  it('is empty when the reply proposes nothing', () => {
    expect(cardItemsFrom(emptyMessageData())).toEqual([]);
    expect(cardItemsFrom(data({ executed_cmds: [{ command: getPods, output: 'ok' }] }))).toEqual([]);
  });

  it('keeps only proposals (execute:false), in order, with description and the wire object as raw', () => {
    const files = [{ file_path: 'patch.yaml', file_content: 'spec: {}' }];
    const items = cardItemsFrom(
      data({
        cmds: [
          { command: getPods, execute: false, description: '  List the pods  ' },
          { command: 'kubectl version', execute: true },
          { command: restart, execute: false, files },
          { command: 'kubectl top pods', execute: false, description: '   ' },
        ],
      }),
    );
    expect(items).toEqual([
      {
        kind: 'cmd',
        text: getPods,
        description: 'List the pods',
        raw: { command: getPods, execute: false, description: '  List the pods  ' },
      },
      { kind: 'cmd', text: restart, raw: { command: restart, execute: false, files } },
      {
        kind: 'cmd',
        text: 'kubectl top pods',
        raw: { command: 'kubectl top pods', execute: false, description: '   ' },
      },
    ]);
  });

  it('never trims or cuts a command: the echo must repeat it exactly', () => {
    const long = `kubectl get pods ${'-l app=web '.repeat(300)} `;
    const [item] = cardItemsFrom(data({ cmds: [{ command: long, execute: false }] }));
    expect(item?.text).toBe(long);
  });

  it('shows a tool call as `name {input}` with its intent as description', () => {
    const [item] = cardItemsFrom(data({ tool_calls: [{ ...toolRaw, intent: 'More capacity for the sale' }] }));
    expect(item).toEqual({
      kind: 'tool_call',
      text: 'scale_deployment {"name":"web","replicas":3}',
      description: 'More capacity for the sale',
      raw: { ...toolRaw, intent: 'More capacity for the sale' },
    });
  });

  it('falls back to tool_description, and to the JSON of an unknown shape, clipped', () => {
    const [known] = cardItemsFrom(data({ tool_calls: [toolRaw] }));
    expect(known?.description).toBe('Scales a deployment');

    const odd = { weird: 'x'.repeat(5000) };
    const [unknown] = cardItemsFrom(data({ tool_calls: [odd] }));
    expect(unknown?.kind).toBe('tool_call');
    expect(unknown?.text).toHaveLength(ItemTextLimit);
    expect(unknown?.text.startsWith('{"weird":"xxx')).toBe(true);
    expect(unknown?.text.endsWith('…')).toBe(true);
    expect(unknown?.raw).toBe(odd);
  });

  it('shows an approval by its command, tool call, words or JSON', () => {
    const items = cardItemsFrom(
      data({
        approvals: [
          { command: 'terraform apply', description: 'Apply the plan' },
          { name: 'delete_bucket', input: { bucket: 'logs' } },
          approvalRaw,
          { id: 'ap-9', level: 3 },
        ],
      }),
    );
    expect(items.map(({ kind, text, description }) => ({ kind, text, description }))).toEqual([
      { kind: 'approval', text: 'terraform apply', description: 'Apply the plan' },
      { kind: 'approval', text: 'delete_bucket {"bucket":"logs"}', description: undefined },
      { kind: 'approval', text: 'Delete the stale load balancer', description: undefined },
      { kind: 'approval', text: '{"id":"ap-9","level":3}', description: undefined },
    ]);
    expect(items[2]?.raw).toBe(approvalRaw);
  });

  it('orders commands, then tool calls, then approvals', () => {
    const items = cardItemsFrom(
      data({ approvals: [approvalRaw], tool_calls: [toolRaw], cmds: [{ command: getPods, execute: false }] }),
    );
    expect(items.map((item) => item.kind)).toEqual(['cmd', 'tool_call', 'approval']);
  });
});

describe('checkShown', () => {
  it('returns the item whose stored command the message showed', () => {
    expect(checkShown(card(), { index: 0, shown: commandDigest(getPods) })).toEqual(cmdItem(getPods));
  });

  it('refuses a message drawn from a changed command with card.stale_command, whatever the card state', () => {
    const changed = commandDigest(`${getPods} --all-namespaces`);
    expect(codeOf(() => checkShown(card(), { index: 0, shown: changed }))).toBe('card.stale_command');
    expect(codeOf(() => checkShown(card({ status: 'expired' }), { index: 0, shown: changed }))).toBe(
      'card.stale_command',
    );
    expect(codeOf(() => checkShown(card(), { index: 3, shown: commandDigest(getPods) }))).toBe('card.not_found');
  });
});

describe('checkDecision', () => {
  it('returns the item when the card is pending, the text matches and it has not expired', () => {
    expect(checkDecision(card(), { index: 1, shown: commandDigest(restart), now: before })).toEqual(cmdItem(restart));
  });

  it.each([-1, 2, 1.5, Number.NaN])('refuses index %s with card.not_found', (index) => {
    expect(codeOf(() => checkDecision(card(), { index, shown: commandDigest(getPods), now: before }))).toBe(
      'card.not_found',
    );
  });

  it('refuses a decision bound to other text with card.stale_command', () => {
    expect(codeOf(() => checkDecision(card(), { index: 0, shown: commandDigest(restart), now: before }))).toBe(
      'card.stale_command',
    );
    expect(codeOf(() => checkDecision(card(), { index: 0, shown: commandDigest(`${getPods} `), now: before }))).toBe(
      'card.stale_command',
    );
  });

  it('refuses at and after expiry with card.expired', () => {
    expect(codeOf(() => checkDecision(card(), { index: 0, shown: commandDigest(getPods), now: expiresAt }))).toBe(
      'card.expired',
    );
    expect(
      codeOf(() =>
        checkDecision(card({ status: 'expired' }), { index: 0, shown: commandDigest(getPods), now: before }),
      ),
    ).toBe('card.expired');
    expect(
      codeOf(() =>
        checkDecision(card(), { index: 0, shown: commandDigest(getPods), now: new Date(expiresAt.getTime() - 1) }),
      ),
    ).toBeUndefined();
  });

  it.each(['submitted', 'executed', 'failed'] as const)('refuses a %s card with card.already_submitted', (status) => {
    expect(
      codeOf(() => checkDecision(card({ status }), { index: 0, shown: commandDigest(getPods), now: before })),
    ).toBe('card.already_submitted');
  });
});

describe('hidden characters', () => {
  it.each([
    ['right-to-left override', '\u202E', 'U+202E'],
    ['left-to-right embedding', '\u202A', 'U+202A'],
    ['first strong isolate', '\u2068', 'U+2068'],
    ['pop directional isolate', '\u2069', 'U+2069'],
    ['right-to-left mark', '\u200F', 'U+200F'],
    ['Arabic letter mark', '\u061C', 'U+061C'],
    ['zero-width space', '\u200B', 'U+200B'],
    ['zero-width joiner between letters', '\u200D', 'U+200D'],
    ['word joiner', '\u2060', 'U+2060'],
    ['invisible plus', '\u2064', 'U+2064'],
    ['byte order mark', '\uFEFF', 'U+FEFF'],
    ['soft hyphen', '\u00AD', 'U+00AD'],
    ['NUL', '\u0000', 'U+0000'],
    ['escape', '\u001B', 'U+001B'],
    ['carriage return', '\r', 'U+000D'],
    ['next line', '\u0085', 'U+0085'],
    ['no-break space', '\u00A0', 'U+00A0'],
    ['em space', '\u2003', 'U+2003'],
    ['ideographic space', '\u3000', 'U+3000'],
    ['line separator', '\u2028', 'U+2028'],
    ['tag letter', '\u{E0041}', 'U+E0041'],
    ['variation selector after a letter', '\uFE0F', 'U+FE0F'],
    ['Hangul filler', '\u3164', 'U+3164'],
    ['braille blank', '\u2800', 'U+2800'],
    ['private use', '\uE000', 'U+E000'],
    ['lone surrogate', '\uD800', 'U+D800'],
  ])('finds a %s', (_name, char, label) => {
    expect(hiddenCharactersIn(`rm -rf /tmp/a${char}b`)).toEqual([label]);
  });

  it.each([
    ['tabs, newlines and spaces', 'kubectl get pods \\\n\t-n dev'],
    ['text in other scripts', 'echo "café 日本語 Ελληνικά עברית"'],
    ['an emoji with its variation selector', 'echo "⚠️ done ✔️"'],
    ['a joined emoji and a skin tone', 'echo "👩‍💻 👍🏽 👨‍👩‍👧"'],
  ])('allows %s', (_name, text) => {
    expect(hiddenCharactersIn(text)).toEqual([]);
  });

  it('lists each character once, in order', () => {
    expect(hiddenCharactersIn('a\u202Eb\u200Bc\u202Ed')).toEqual(['U+202E', 'U+200B']);
  });

  it('finds any hidden character put anywhere in printable text', () => {
    const printable = fc.string({ unit: fc.constantFrom(...' abc-_/.:=|&<>\'"$\t\n'.split('')), maxLength: 60 });
    const hidden = fc.constantFrom(
      '\u202E',
      '\u2066',
      '\u200B',
      '\u200E',
      '\u2061',
      '\uFEFF',
      '\u00AD',
      '\u00A0',
      '\u0007',
    );
    fc.assert(
      fc.property(printable, hidden, printable, (before, char, after) => {
        expect(hiddenCharactersIn(before + after)).toEqual([]);
        expect(hiddenCharactersIn(before + char + after)).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });

  it('records them on the item that carries them', () => {
    const shown = 'kubectl delete pod web-1 # \u202Eved-ni\u202C';
    const items = cardItemsFrom(
      data({
        cmds: [
          { command: shown, execute: false },
          { command: getPods, execute: false },
        ],
      }),
    );
    expect(items[0]).toMatchObject({ text: shown, hiddenCharacters: ['U+202E', 'U+202C'] });
    expect(items[1]).not.toHaveProperty('hiddenCharacters');
    expect(cardItemsFrom(data({ tool_calls: [{ name: 'scale\u200B', input: {} }] }))[0]?.hiddenCharacters).toEqual([
      'U+200B',
    ]);
  });

  const hiddenCard = () => card({ items: [cmdItem(`${getPods}\u202E`), cmdItem(restart)] });

  it('refuses to approve such an item, recorded or not, and lets it be rejected or ignored', () => {
    const commandText = `${getPods}\u202E`;
    expect(carriesHiddenCharacters({ text: commandText })).toBe(true);
    expect(
      codeOf(() =>
        checkDecision(hiddenCard(), { index: 0, shown: commandDigest(commandText), decision: 'approve', now: before }),
      ),
    ).toBe('card.hidden_characters');
    for (const decision of ['reject', 'ignore'] as const) {
      expect(
        checkDecision(hiddenCard(), { index: 0, shown: commandDigest(commandText), decision, now: before }).text,
      ).toBe(commandText);
    }
    expect(
      checkDecision(hiddenCard(), { index: 1, shown: commandDigest(restart), decision: 'approve', now: before }).text,
    ).toBe(restart);
  });

  it('refuses a Submit that approves such an item, however the approval was recorded', () => {
    const approved = { '0': choice('approve'), '1': choice('approve') };
    expect(codeOf(() => checkSubmit(hiddenCard(), { now: before, choices: approved }))).toBe('card.hidden_characters');
    expect(() =>
      checkSubmit(hiddenCard(), { now: before, choices: { '0': choice('reject'), '1': choice('approve') } }),
    ).not.toThrow();
  });
});

describe('checkSubmit', () => {
  const decided = { '0': choice('approve') };

  it('accepts a pending card with at least one approval or rejection', () => {
    expect(() => checkSubmit(card(), { now: before, choices: decided })).not.toThrow();
    expect(() => checkSubmit(card(), { now: before, choices: { '1': choice('reject') } })).not.toThrow();
  });

  it.each(['submitted', 'executed', 'failed'] as const)('refuses a %s card with card.already_submitted', (status) => {
    expect(codeOf(() => checkSubmit(card({ status }), { now: before, choices: decided }))).toBe(
      'card.already_submitted',
    );
  });

  it('refuses past expiry, or an expired card, with card.expired', () => {
    expect(codeOf(() => checkSubmit(card(), { now: expiresAt, choices: decided }))).toBe('card.expired');
    expect(codeOf(() => checkSubmit(card({ status: 'expired' }), { now: before, choices: decided }))).toBe(
      'card.expired',
    );
  });

  it('refuses no decisions, or only ignores, with card.no_decisions', () => {
    expect(codeOf(() => checkSubmit(card(), { now: before, choices: {} }))).toBe('card.no_decisions');
    expect(
      codeOf(() => checkSubmit(card(), { now: before, choices: { '0': choice('ignore'), '1': choice('ignore') } })),
    ).toBe('card.no_decisions');
  });
});

describe('approvalEcho', () => {
  it('echoes an approval with execute:true and the exact command', () => {
    expect(approvalEcho(card(), { '0': choice('approve') })).toEqual({
      cmds: [{ command: getPods, execute: true }],
    });
  });

  it('echoes a rejection with its reason, trimmed', () => {
    expect(approvalEcho(card(), { '1': choice('reject', '  not during business hours ') })).toEqual({
      cmds: [{ command: restart, execute: false, rejection_reason: 'not during business hours' }],
    });
  });

  it('gives a rejection without reason (or a blank one) the default reason', () => {
    expect(approvalEcho(card(), { '0': choice('reject'), '1': choice('reject', '   ') })).toEqual({
      cmds: [
        { command: getPods, execute: false, rejection_reason: DefaultRejectionReason },
        { command: restart, execute: false, rejection_reason: DefaultRejectionReason },
      ],
    });
    expect(DefaultRejectionReason).toBe('Rejected in Slack');
  });

  it('leaves ignored and undecided items out, and is empty when nothing is answered', () => {
    expect(approvalEcho(card(), { '0': choice('ignore'), '1': choice('approve') })).toEqual({
      cmds: [{ command: restart, execute: true }],
    });
    expect(approvalEcho(card(), { '0': choice('ignore') })).toEqual({});
    expect(approvalEcho(card(), {})).toEqual({});
  });

  it('keeps the rest of the wire command (files, description) but drops a stale rejection_reason on approval', () => {
    const files = [{ file_path: 'a.yaml', file_content: 'x: 1' }];
    const item: CardItem = {
      kind: 'cmd',
      text: getPods,
      raw: { command: getPods, execute: false, files, description: 'why', rejection_reason: 'old' },
    };
    expect(approvalEcho(card({ items: [item] }), { '0': choice('approve') })).toEqual({
      cmds: [{ command: getPods, execute: true, files, description: 'why' }],
    });
  });

  it('answers tool calls and approvals on their raw objects, each under its own key', () => {
    const items = cardItemsFrom(
      data({ cmds: [{ command: getPods, execute: false }], tool_calls: [toolRaw], approvals: [approvalRaw] }),
    );
    const echo = approvalEcho(card({ items }), {
      '0': choice('ignore'),
      '1': choice('approve'),
      '2': choice('reject', 'keep it'),
    });
    expect(echo).toEqual({
      tool_calls: [{ ...toolRaw, execute: true }],
      approvals: [{ ...approvalRaw, execute: false, rejection_reason: 'keep it' }],
    });
    expect(Object.keys(echo)).toEqual(['tool_calls', 'approvals']);
  });
});

describe('echoWords', () => {
  it('says what the person decided, as DuploCloud’s own clients do', () => {
    expect(echoWords({ approved: 1, rejected: 0 })).toBe('I approve 1 command.');
    expect(echoWords({ approved: 2, rejected: 1 })).toBe('I approve 2 commands and reject 1 command.');
    expect(echoWords({ approved: 0, rejected: 3 })).toBe('I reject 3 commands.');
    expect(echoWords({ approved: 0, rejected: 0 })).toBe('');
  });
});

describe('summarizeDecisions, describeDecisions and mergeChoices', () => {
  const items = [cmdItem('a'), cmdItem('b'), cmdItem('c'), cmdItem('d'), cmdItem('e')];

  it('counts each kind of decision and the undecided', () => {
    const summary = summarizeDecisions(
      { items },
      { '0': choice('approve'), '1': choice('approve'), '2': choice('reject'), '3': choice('ignore') },
    );
    expect(summary).toEqual({ approved: 2, rejected: 1, ignored: 1, undecided: 1 });
    expect(describeDecisions(summary)).toBe('2 approved, 1 rejected, 2 not answered');
    expect(describeDecisions({ approved: 1, rejected: 1, ignored: 0, undecided: 0 })).toBe('1 approved, 1 rejected');
  });

  it('lets recorded choices win over supplied ones and drops keys that name no item', () => {
    const recorded = { '0': choice('reject', 'recorded') };
    const supplied = { '0': choice('approve'), '1': choice('ignore'), '9': choice('approve'), x: choice('approve') };
    expect(mergeChoices({ items: items.slice(0, 2), choices: recorded }, supplied)).toEqual({
      '0': recorded['0'],
      '1': supplied['1'],
    });
  });
});
