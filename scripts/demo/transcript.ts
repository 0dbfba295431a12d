import type { Writable } from 'node:stream';
import { renderBlocksText, renderMessageText } from '../../test/fakes/slack/index.js';
import { replaceEmojiShortcodes } from './emoji.js';
import { formatTime, type MentionNames } from './html-page.js';

/**
 * The demo's stdout: a header per step, then each new (or changed) message of the thread as a person reads it,
 * Block Kit rendered to text by the fake Slack's renderer (buttons as `[Approve]`), mentions as names.
 */

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface TranscriptMessage {
  readonly ts: string;
  readonly author: string;
  readonly text?: string;
  readonly blocks?: readonly unknown[];
  readonly files?: ReadonlyArray<{ readonly name?: string; readonly title?: string }>;
}

export interface TranscriptModal {
  readonly title: string;
  readonly blocks: readonly unknown[];
  readonly submit?: string;
  readonly close?: string;
}

/** `@UALICE` (as the renderer prints a mention) → `@alice`; known emoji shortcodes → emoji. */
export const readable = (text: string, names: MentionNames): string =>
  replaceEmojiShortcodes(text.replace(/@([UW][A-Z0-9]{2,})\b/g, (_whole, id: string) => `@${names[id] ?? id}`));

/** The lines a person reads for one message. */
export function messageText(message: TranscriptMessage, names: MentionNames): string {
  return readable(
    renderMessageText({
      ...(message.text === undefined ? {} : { text: message.text }),
      ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
      ...(message.files === undefined ? {} : { files: message.files }),
    }),
    names,
  );
}

const indent = (text: string, prefix: string): string =>
  text
    .split('\n')
    .map((line) => `${prefix}${line}`.trimEnd())
    .join('\n');

export function formatMessage(
  message: TranscriptMessage,
  options: { readonly names: MentionNames; readonly updated?: boolean; readonly timeZone?: string },
): string {
  const time = formatTime(message.ts, options.timeZone);
  const head = `  ${message.author} · ${time}${options.updated ? ' · (updated)' : ''}`;
  return `${head}\n${indent(messageText(message, options.names), '  │ ')}`;
}

/** A modal as text: title bar, its inputs with what is chosen, and the footer buttons. */
export function formatModal(modal: TranscriptModal, names: MentionNames): string {
  const body = readable(renderBlocksText(modal.blocks), names);
  const footer = [modal.close, modal.submit]
    .filter((label): label is string => !!label)
    .map((label) => `[${label}]`)
    .join(' ');
  const rule = '─'.repeat(Math.max(8, 56 - modal.title.length));
  return [`  ╭─ Modal: ${modal.title} ${rule}`, indent(body, '  │ '), `  │ ${' '.repeat(30)}${footer}`, '  ╰─'].join(
    '\n',
  );
}

/**
 * A copy of a modal's blocks showing what the person chose (by action_id: option value, or typed text), the way
 * their screen shows it just before they press the submit button.
 */
export function fillModalBlocks(
  blocks: readonly unknown[],
  chosen: Readonly<Record<string, string | readonly string[]>>,
): unknown[] {
  return blocks.map((block) => {
    if (!isRecord(block) || block.type !== 'input' || !isRecord(block.element)) return block;
    const element = block.element;
    const value = chosen[String(element.action_id)];
    if (value === undefined) return block;
    if (element.type === 'plain_text_input') return { ...block, element: { ...element, initial_value: value } };
    const options = Array.isArray(element.options) ? element.options.filter(isRecord) : [];
    if (typeof value !== 'string') {
      const picked = options.filter((candidate) => value.includes(String(candidate.value)));
      return { ...block, element: { ...element, initial_options: picked } };
    }
    const option = options.find((candidate) => candidate.value === value);
    return option ? { ...block, element: { ...element, initial_option: option } } : block;
  });
}

/** Writes the transcript; every line goes through here so the test can read the same text. */
export class Transcript {
  constructor(
    private readonly out: Writable,
    private readonly names: MentionNames,
  ) {}

  line(text = ''): void {
    this.out.write(`${text}\n`);
  }

  title(text: string): void {
    this.line(text);
    this.line('═'.repeat(Math.min(100, text.length)));
  }

  step(index: number, text: string): void {
    this.line();
    this.line(`━━ ${index}. ${text} ${'━'.repeat(Math.max(4, 80 - text.length))}`);
  }

  /** What a person does, or what the demo checked. */
  note(text: string): void {
    this.line(`  » ${readable(text, this.names)}`);
  }

  check(text: string): void {
    this.line(`  ✔ ${text}`);
  }

  message(message: TranscriptMessage, updated = false): void {
    this.line();
    this.line(formatMessage(message, { names: this.names, updated }));
  }

  modal(modal: TranscriptModal): void {
    this.line();
    this.line(formatModal(modal, this.names));
  }
}
