/**
 * Block Kit → the plain text a person would read: for the demo transcript and for tests that assert what is shown.
 * Markup is resolved as Slack's client shows it (`<@U1>` → `@U1`, `&lt;` → `<`), so an unescaped `<!channel>` in
 * agent text renders as a real `@channel` ping and an escaped one as the literal text.
 */

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Resolves mrkdwn control sequences and entities to what the reader sees. Emphasis markers are kept. */
export function renderMrkdwn(text: string): string {
  const resolved = text.replace(/<([^<>]*)>/g, (_whole, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    if (target.startsWith('@')) return `@${label ?? target.slice(1)}`;
    if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
    if (target.startsWith('!subteam^')) return label ?? '@group';
    if (target.startsWith('!date^')) return label ?? '';
    if (target.startsWith('!')) return `@${target.slice(1)}`;
    return label === undefined ? target : `${label} (${target})`;
  });
  return resolved.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function renderTextObject(value: unknown): string {
  if (!isRecord(value)) return '';
  return value.type === 'mrkdwn' ? renderMrkdwn(str(value.text)) : str(value.text);
}

function optionText(option: unknown): string {
  return isRecord(option) ? renderTextObject(option.text) : '';
}

function allOptions(element: Json): unknown[] {
  const options = Array.isArray(element.options) ? [...element.options] : [];
  if (Array.isArray(element.option_groups)) {
    for (const group of element.option_groups)
      if (isRecord(group) && Array.isArray(group.options)) options.push(...group.options);
  }
  return options;
}

function renderElement(element: unknown): string {
  if (!isRecord(element)) return '';
  const type = str(element.type);
  const placeholder = renderTextObject(element.placeholder);
  switch (type) {
    case 'button':
    case 'workflow_button':
      return `[${renderTextObject(element.text)}]`;
    case 'overflow':
      return `[⋯ ${allOptions(element).map(optionText).join(' | ')}]`;
    case 'static_select':
    case 'external_select':
      return `[Select: ${element.initial_option ? optionText(element.initial_option) : placeholder || '…'}]`;
    case 'multi_static_select':
    case 'multi_external_select': {
      const chosen = Array.isArray(element.initial_options) ? element.initial_options.map(optionText) : [];
      return `[Select: ${chosen.length > 0 ? chosen.join(', ') : placeholder || '…'}]`;
    }
    case 'users_select':
    case 'multi_users_select':
      return `[User: ${str(element.initial_user) || placeholder || '…'}]`;
    case 'conversations_select':
    case 'channels_select':
    case 'multi_conversations_select':
    case 'multi_channels_select':
      return `[Channel: ${placeholder || '…'}]`;
    case 'radio_buttons': {
      const chosen = isRecord(element.initial_option) ? element.initial_option.value : undefined;
      return allOptions(element)
        .map((option) => `(${isRecord(option) && option.value === chosen ? '•' : ' '}) ${optionText(option)}`)
        .join('  ');
    }
    case 'checkboxes': {
      const chosen = new Set(
        (Array.isArray(element.initial_options) ? element.initial_options : []).map((o) =>
          isRecord(o) ? o.value : '',
        ),
      );
      return allOptions(element)
        .map((option) => `[${isRecord(option) && chosen.has(option.value) ? 'x' : ' '}] ${optionText(option)}`)
        .join('  ');
    }
    case 'datepicker':
      return `[Date: ${str(element.initial_date) || placeholder || '…'}]`;
    case 'timepicker':
      return `[Time: ${str(element.initial_time) || placeholder || '…'}]`;
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return `[Text: ${str(element.initial_value) || placeholder || '…'}]`;
    case 'image':
      return `[image: ${str(element.alt_text)}]`;
    case 'plain_text':
    case 'mrkdwn':
      return renderTextObject(element);
    default:
      return `[${type}]`;
  }
}

function renderRichInline(element: unknown): string {
  if (!isRecord(element)) return '';
  switch (element.type) {
    case 'text':
      return str(element.text);
    case 'link':
      return str(element.text) || str(element.url);
    case 'user':
      return `@${str(element.user_id)}`;
    case 'channel':
      return `#${str(element.channel_id)}`;
    case 'usergroup':
      return `@${str(element.usergroup_id)}`;
    case 'broadcast':
      return `@${str(element.range)}`;
    case 'emoji':
      return `:${str(element.name)}:`;
    case 'date':
      return str(element.fallback);
    default:
      return '';
  }
}

function renderRichText(elements: unknown): string {
  if (!Array.isArray(elements)) return '';
  const inline = (children: unknown) => (Array.isArray(children) ? children.map(renderRichInline).join('') : '');
  return elements
    .map((element) => {
      if (!isRecord(element)) return '';
      switch (element.type) {
        case 'rich_text_section':
          return inline(element.elements);
        case 'rich_text_preformatted':
          return `\`\`\`\n${inline(element.elements)}\n\`\`\``;
        case 'rich_text_quote':
          return inline(element.elements)
            .split('\n')
            .map((line) => `> ${line}`)
            .join('\n');
        case 'rich_text_list': {
          const items = Array.isArray(element.elements) ? element.elements : [];
          return items
            .map(
              (item, index) =>
                `${element.style === 'ordered' ? `${index + 1}.` : '•'} ${inline(isRecord(item) ? item.elements : [])}`,
            )
            .join('\n');
        }
        default:
          return '';
      }
    })
    .filter((line) => line !== '')
    .join('\n');
}

function renderBlock(block: unknown): string {
  if (!isRecord(block)) return '';
  switch (block.type) {
    case 'section': {
      const lines: string[] = [];
      if (block.text !== undefined) lines.push(renderTextObject(block.text));
      if (Array.isArray(block.fields)) lines.push(...block.fields.map(renderTextObject));
      if (block.accessory !== undefined) lines.push(renderElement(block.accessory));
      return lines.join('\n');
    }
    case 'header':
      return `# ${renderTextObject(block.text)}`;
    case 'divider':
      return '---';
    case 'context':
      return Array.isArray(block.elements) ? block.elements.map(renderElement).join(' · ') : '';
    case 'actions':
    case 'context_actions':
      return Array.isArray(block.elements) ? block.elements.map(renderElement).join(' ') : '';
    case 'input':
      return `${renderTextObject(block.label)}: ${renderElement(block.element)}`;
    case 'markdown':
      return str(block.text);
    case 'rich_text':
      return renderRichText(block.elements);
    case 'image':
      return `[image: ${str(block.alt_text)}]`;
    default:
      return `[${str(block.type)}]`;
  }
}

/** Blocks as lines of text, one block after another. */
export function renderBlocksText(blocks: readonly unknown[]): string {
  return blocks
    .map(renderBlock)
    .filter((text) => text !== '')
    .join('\n');
}

export interface RenderableMessage {
  readonly text?: string;
  readonly blocks?: readonly unknown[];
  readonly files?: ReadonlyArray<{ readonly name?: string; readonly title?: string }>;
  /** 'in_progress' while the app streams into the message (chat.startStream … chat.stopStream). */
  readonly streaming_state?: string;
}

/** What Slack's client shows after a message still being streamed into. */
export const STREAMING_MARK = '[streaming…]';

/**
 * A stored message as a person reads it: its blocks (or its text when it has none), then its files; a message
 * still streaming ends with STREAMING_MARK.
 */
export function renderMessageText(message: RenderableMessage): string {
  const parts: string[] = [];
  if (message.blocks !== undefined && message.blocks.length > 0) parts.push(renderBlocksText(message.blocks));
  else if (message.text !== undefined && message.text !== '') parts.push(renderMrkdwn(message.text));
  for (const file of message.files ?? []) parts.push(`📎 ${file.name ?? file.title ?? 'file'}`);
  const shown = parts.join('\n');
  if (message.streaming_state !== 'in_progress') return shown;
  return shown === '' ? STREAMING_MARK : `${shown} ${STREAMING_MARK}`;
}
