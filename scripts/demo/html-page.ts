import { replaceEmojiShortcodes } from './emoji.js';

/**
 * A Slack thread as a static HTML page: avatars, names, times, Block Kit drawn the way Slack's client draws it.
 * Pure functions (no I/O, no clock): the demo writes the result to a file and the README's screenshot is taken
 * from it. Only the parts of Block Kit and mrkdwn the app uses are drawn faithfully; anything else shows its type.
 */

type Json = Record<string, unknown>;

/** User id → the name shown for a mention of that user. */
export type MentionNames = Readonly<Record<string, string>>;

export interface PageAuthor {
  readonly name: string;
  readonly isBot: boolean;
}

export interface PageFile {
  readonly name: string;
  readonly title?: string;
  readonly size?: number;
  readonly filetype?: string;
}

export interface PageMessage {
  readonly ts: string;
  readonly author: PageAuthor;
  readonly text?: string;
  readonly blocks?: readonly unknown[];
  readonly files?: readonly PageFile[];
}

export interface PageModal {
  /** What the person was doing, shown above the modal. */
  readonly caption: string;
  readonly title: string;
  readonly blocks: readonly unknown[];
  readonly submit?: string;
  readonly close?: string;
}

export interface ThreadPageInput {
  /** The document title. */
  readonly title: string;
  readonly channelName: string;
  /** Parent first, then the replies in order. */
  readonly messages: readonly PageMessage[];
  readonly names?: MentionNames;
  readonly modals?: readonly PageModal[];
  /** IANA time zone for the message times; default UTC so the page is the same on every machine. */
  readonly timeZone?: string;
}

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** mrkdwn keeps only three entities; everything else is literal text. */
const decodeEntities = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const emojiHtml = (text: string): string =>
  replaceEmojiShortcodes(text, (emoji) => `<span class="emoji">${emoji}</span>`);

const safeHref = (url: string): string | null => (/^(https?:|mailto:)/i.test(url) ? escapeHtml(url) : null);

function controlSequence(inner: string, names: MentionNames): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : decodeEntities(inner.slice(bar + 1));
  const mention = (text: string, extra = '') => `<span class="mention${extra}">${escapeHtml(text)}</span>`;
  if (target.startsWith('@')) return mention(`@${names[target.slice(1)] ?? label ?? target.slice(1)}`);
  if (target.startsWith('#')) return mention(`#${label ?? target.slice(1)}`);
  if (target.startsWith('!subteam^')) return mention(label ?? '@group');
  if (target.startsWith('!date^')) return escapeHtml(label ?? '');
  if (target.startsWith('!')) return mention(`@${target.slice(1)}`, ' broadcast');
  const url = decodeEntities(target);
  const href = safeHref(url);
  const text = escapeHtml(label ?? url);
  return href ? `<a href="${href}">${text}</a>` : text;
}

/**
 * mrkdwn → HTML: code blocks, inline code, mentions and links first (kept aside so their text is not formatted),
 * then *bold*, _italic_, ~strike~, emoji shortcodes, > quotes and line breaks.
 */
export function renderMrkdwnHtml(text: string, names: MentionNames = {}): string {
  const held: string[] = [];
  // Private-use characters mark what is held aside; they are removed from the input first.
  const hold = (html: string) => `\uE000${held.push(html) - 1}\uE001`;
  let source = text
    .replace(/[\uE000\uE001]/g, '')
    .replace(/\n?```\n?([\s\S]*?)\n?```\n?/g, (_whole, code: string) =>
      hold(`<pre class="code-block">${escapeHtml(decodeEntities(code))}</pre>`),
    );
  source = source.replace(/`([^`\n]+)`/g, (_whole, code: string) =>
    hold(`<code>${escapeHtml(decodeEntities(code))}</code>`),
  );
  source = source.replace(/<([^<>\n]+)>/g, (_whole, inner: string) => hold(controlSequence(inner, names)));

  let html = escapeHtml(decodeEntities(source));
  html = html.replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])/gm, '$1<b>$2</b>');
  html = html.replace(/(^|[^\w_])_(?!\s)([^_\n]+?)_(?![\w_])/gm, '$1<i>$2</i>');
  html = html.replace(/(^|[^\w~])~(?!\s)([^~\n]+?)~(?![\w~])/gm, '$1<s>$2</s>');
  html = emojiHtml(html);
  html = html
    .split('\n')
    .map((line) => (line.startsWith('&gt; ') ? `<span class="quote">${line.slice(5)}</span>` : line))
    .join('<br>')
    .replace(/<br>(?=<span class="quote">)/g, '');
  return html.replace(/\uE000(\d+)\uE001/g, (_whole, index: string) => held[Number(index)] ?? '');
}

function textObjectHtml(value: unknown, names: MentionNames): string {
  if (!isRecord(value)) return '';
  if (value.type === 'mrkdwn') return renderMrkdwnHtml(str(value.text), names);
  const plain = escapeHtml(str(value.text)).replace(/\n/g, '<br>');
  return value.emoji === false ? plain : emojiHtml(plain);
}

function optionsOf(element: Json): Json[] {
  const options = Array.isArray(element.options) ? [...element.options] : [];
  if (Array.isArray(element.option_groups)) {
    for (const group of element.option_groups) {
      if (isRecord(group) && Array.isArray(group.options)) options.push(...group.options);
    }
  }
  return options.filter(isRecord);
}

function buttonHtml(element: Json, names: MentionNames): string {
  const style = element.style === 'primary' ? ' primary' : element.style === 'danger' ? ' danger' : '';
  const label = textObjectHtml(element.text, names);
  const href = typeof element.url === 'string' ? safeHref(element.url) : null;
  return href
    ? `<a class="button${style}" href="${href}">${label}<span class="external">↗</span></a>`
    : `<span class="button${style}">${label}</span>`;
}

function elementHtml(element: unknown, names: MentionNames): string {
  if (!isRecord(element)) return '';
  const placeholder = textObjectHtml(element.placeholder, names);
  switch (element.type) {
    case 'button':
    case 'workflow_button':
      return buttonHtml(element, names);
    case 'overflow': {
      const options = optionsOf(element)
        .map((option) => escapeHtml(str(isRecord(option.text) ? option.text.text : '')))
        .join(' · ');
      return `<span class="overflow" title="${options}">⋯</span>`;
    }
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select': {
      const chosen = isRecord(element.initial_option) ? textObjectHtml(element.initial_option.text, names) : '';
      return `<span class="select${chosen ? '' : ' empty'}">${chosen || placeholder || 'Select…'}<span class="caret">⌄</span></span>`;
    }
    case 'multi_static_select':
    case 'multi_external_select': {
      const chosen = (Array.isArray(element.initial_options) ? element.initial_options : [])
        .filter(isRecord)
        .map((option) => `<span class="token">${textObjectHtml(option.text, names)}</span>`)
        .join('');
      return `<span class="select${chosen ? '' : ' empty'}">${chosen || placeholder || 'Select…'}<span class="caret">⌄</span></span>`;
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const radio = element.type === 'radio_buttons';
      const chosen = new Set(
        (radio ? [element.initial_option] : Array.isArray(element.initial_options) ? element.initial_options : [])
          .filter(isRecord)
          .map((option) => option.value),
      );
      const items = optionsOf(element).map(
        (option) =>
          `<label class="choice"><span class="${radio ? 'radio' : 'checkbox'}${chosen.has(option.value) ? ' on' : ''}"></span>${textObjectHtml(option.text, names)}</label>`,
      );
      return `<div class="choices">${items.join('')}</div>`;
    }
    case 'plain_text_input': {
      const value = str(element.initial_value);
      const shown = value
        ? escapeHtml(value).replace(/\n/g, '<br>')
        : `<span class="placeholder">${placeholder}</span>`;
      return `<div class="text-input${element.multiline === true ? ' multiline' : ''}">${shown}</div>`;
    }
    case 'image':
      return `<img class="inline-image" src="${escapeHtml(str(element.image_url))}" alt="${escapeHtml(str(element.alt_text))}">`;
    case 'plain_text':
    case 'mrkdwn':
      return `<span>${textObjectHtml(element, names)}</span>`;
    default:
      return `<span class="unknown">[${escapeHtml(str(element.type))}]</span>`;
  }
}

function richInlineHtml(element: unknown, names: MentionNames): string {
  if (!isRecord(element)) return '';
  const style = isRecord(element.style) ? element.style : {};
  const styled = (html: string) => {
    let out = html;
    if (style.code === true) out = `<code>${out}</code>`;
    if (style.bold === true) out = `<b>${out}</b>`;
    if (style.italic === true) out = `<i>${out}</i>`;
    if (style.strike === true) out = `<s>${out}</s>`;
    return out;
  };
  switch (element.type) {
    case 'text':
      return styled(escapeHtml(str(element.text)).replace(/\n/g, '<br>'));
    case 'link': {
      const href = safeHref(str(element.url));
      const text = escapeHtml(str(element.text) || str(element.url));
      return styled(href ? `<a href="${href}">${text}</a>` : text);
    }
    case 'user': {
      const id = str(element.user_id);
      return `<span class="mention">@${escapeHtml(names[id] ?? id)}</span>`;
    }
    case 'channel':
      return `<span class="mention">#${escapeHtml(str(element.channel_id))}</span>`;
    case 'usergroup':
      return `<span class="mention">@${escapeHtml(str(element.usergroup_id))}</span>`;
    case 'broadcast':
      return `<span class="mention broadcast">@${escapeHtml(str(element.range))}</span>`;
    case 'emoji':
      return emojiHtml(`:${str(element.name)}:`);
    case 'date':
      return escapeHtml(str(element.fallback));
    default:
      return '';
  }
}

function richTextHtml(elements: unknown, names: MentionNames): string {
  if (!Array.isArray(elements)) return '';
  const inline = (children: unknown) =>
    Array.isArray(children) ? children.map((child) => richInlineHtml(child, names)).join('') : '';
  return elements
    .filter(isRecord)
    .map((element) => {
      switch (element.type) {
        case 'rich_text_section':
          return `<div>${inline(element.elements)}</div>`;
        case 'rich_text_preformatted':
          return `<pre class="code-block">${inline(element.elements)}</pre>`;
        case 'rich_text_quote':
          return `<div class="quote">${inline(element.elements)}</div>`;
        case 'rich_text_list': {
          const tag = element.style === 'ordered' ? 'ol' : 'ul';
          const items = (Array.isArray(element.elements) ? element.elements : [])
            .filter(isRecord)
            .map((item) => `<li>${inline(item.elements)}</li>`);
          return `<${tag}>${items.join('')}</${tag}>`;
        }
        default:
          return '';
      }
    })
    .join('');
}

function blockHtml(block: unknown, names: MentionNames): string {
  if (!isRecord(block)) return '';
  switch (block.type) {
    case 'section': {
      const text =
        block.text === undefined ? '' : `<div class="section-text">${textObjectHtml(block.text, names)}</div>`;
      const fields = Array.isArray(block.fields)
        ? `<div class="fields">${block.fields.map((field) => `<div class="field">${textObjectHtml(field, names)}</div>`).join('')}</div>`
        : '';
      const accessory =
        block.accessory === undefined ? '' : `<div class="accessory">${elementHtml(block.accessory, names)}</div>`;
      return `<div class="block section"><div class="section-main">${text}${fields}</div>${accessory}</div>`;
    }
    case 'header':
      return `<div class="block header">${textObjectHtml(block.text, names)}</div>`;
    case 'divider':
      return '<hr class="block divider">';
    case 'context': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      return `<div class="block context">${elements.map((element) => elementHtml(element, names)).join('')}</div>`;
    }
    case 'actions':
    case 'context_actions': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      return `<div class="block actions">${elements.map((element) => elementHtml(element, names)).join('')}</div>`;
    }
    case 'input': {
      const optional = block.optional === true ? ' <span class="optional">(optional)</span>' : '';
      const hint = block.hint === undefined ? '' : `<div class="hint">${textObjectHtml(block.hint, names)}</div>`;
      return `<div class="block input"><div class="label">${textObjectHtml(block.label, names)}${optional}</div>${elementHtml(block.element, names)}${hint}</div>`;
    }
    case 'rich_text':
      return `<div class="block rich-text">${richTextHtml(block.elements, names)}</div>`;
    case 'markdown':
      return `<div class="block markdown">${escapeHtml(str(block.text)).replace(/\n/g, '<br>')}</div>`;
    case 'image':
      return `<div class="block image"><img src="${escapeHtml(str(block.image_url))}" alt="${escapeHtml(str(block.alt_text))}"></div>`;
    default:
      return `<div class="block unknown">[${escapeHtml(str(block.type))}]</div>`;
  }
}

/** Block Kit blocks → HTML, one element per block. */
export function renderBlocksHtml(blocks: readonly unknown[], names: MentionNames = {}): string {
  return blocks.map((block) => blockHtml(block, names)).join('');
}

const formatSize = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1048576).toFixed(1)} MB`;

/** A file as Slack shows it under a message: a card with an icon, the name and the kind. */
export function renderFileHtml(file: PageFile): string {
  const kind = file.filetype === 'text' || !file.filetype ? 'Plain Text' : file.filetype.toUpperCase();
  const meta = [kind, ...(file.size === undefined ? [] : [formatSize(file.size)])].join(' · ');
  return `<div class="file"><div class="file-icon">TXT</div><div class="file-info"><div class="file-name">${escapeHtml(file.title ?? file.name)}</div><div class="file-meta">${escapeHtml(meta)}</div></div></div>`;
}

/** Two letters for an avatar: "Alice Ops" → "AO", "alice" → "AL". */
export const initialsOf = (name: string): string => {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length >= 2 ? `${words[0]?.[0] ?? ''}${words[1]?.[0] ?? ''}` : name.trim().slice(0, 2);
  return letters.toUpperCase() || '?';
};

const AvatarColors = ['#e8912d', '#2bac76', '#4a154b', '#1d9bd1', '#e01e5a', '#5a3e85', '#0b4c8c'];

const avatarColor = (name: string): string => {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return AvatarColors[hash % AvatarColors.length] ?? '#1d9bd1';
};

/** "1795611903.923000" → "1:05 PM" in the given time zone. */
export const formatTime = (ts: string, timeZone = 'UTC'): string =>
  new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone }).format(
    new Date(Number.parseFloat(ts) * 1000),
  );

/** Slack folds a message into the one before when the same person wrote it within a few minutes. */
const GroupWindowSeconds = 5 * 60;

function messageHtml(message: PageMessage, previous: PageMessage | undefined, input: ThreadPageInput): string {
  const names = input.names ?? {};
  const time = formatTime(message.ts, input.timeZone);
  const folded =
    previous !== undefined &&
    previous.author.name === message.author.name &&
    Number.parseFloat(message.ts) - Number.parseFloat(previous.ts) < GroupWindowSeconds;
  const body =
    message.blocks !== undefined && message.blocks.length > 0
      ? renderBlocksHtml(message.blocks, names)
      : message.text
        ? `<div class="block section"><div class="section-main"><div class="section-text">${renderMrkdwnHtml(message.text, names)}</div></div></div>`
        : '';
  const files = (message.files ?? []).map(renderFileHtml).join('');
  const avatar = message.author.isBot
    ? '<div class="avatar bot">AI</div>'
    : `<div class="avatar" style="background:${avatarColor(message.author.name)}">${escapeHtml(initialsOf(message.author.name))}</div>`;
  const gutter = folded ? `<div class="gutter-time">${escapeHtml(time.replace(/ [AP]M$/, ''))}</div>` : avatar;
  const meta = folded
    ? ''
    : `<div class="meta"><span class="name">${escapeHtml(message.author.name)}</span>${message.author.isBot ? '<span class="app-badge">APP</span>' : ''}<span class="time">${escapeHtml(time)}</span></div>`;
  return `<div class="message${folded ? ' folded' : ''}"><div class="gutter">${gutter}</div><div class="content">${meta}${body}${files}</div></div>`;
}

function modalHtml(modal: PageModal, names: MentionNames): string {
  const close = modal.close ? `<span class="button">${escapeHtml(modal.close)}</span>` : '';
  const submit = modal.submit ? `<span class="button primary">${escapeHtml(modal.submit)}</span>` : '';
  return `<figure class="modal-figure"><figcaption>${escapeHtml(modal.caption)}</figcaption><div class="modal"><div class="modal-title"><span class="modal-app">AI</span>${escapeHtml(modal.title)}<span class="modal-x">✕</span></div><div class="modal-body">${renderBlocksHtml(modal.blocks, names)}</div><div class="modal-footer">${close}${submit}</div></div></figure>`;
}

const Styles = `
*{box-sizing:border-box}
body{margin:0;background:#f8f8f8;font-family:"Lato","Noto Sans","DejaVu Sans","Helvetica Neue",Arial,sans-serif;color:#1d1c1d;font-size:15px;line-height:1.46668}
.pane{max-width:860px;margin:0 auto;background:#fff;border-left:1px solid #e2e2e2;border-right:1px solid #e2e2e2;min-height:100vh}
.pane-header{display:flex;align-items:baseline;gap:8px;padding:14px 20px;border-bottom:1px solid #e2e2e2;position:sticky;top:0;background:#fff}
.pane-header .title{font-weight:900;font-size:18px}
.pane-header .channel{color:#616061;font-size:13px}
.message{display:flex;padding:8px 20px;gap:8px}
.message.folded{padding-top:6px}
.message:hover{background:#f8f8f8}
.gutter{width:36px;flex:none}
.gutter-time{color:#616061;font-size:11px;text-align:right;padding-top:4px;visibility:hidden}
.message:hover .gutter-time{visibility:visible}
.avatar{width:36px;height:36px;border-radius:6px;color:#fff;font-weight:700;font-size:14px;display:flex;align-items:center;justify-content:center;margin-top:4px}
.avatar.bot{background:linear-gradient(135deg,#1b6ef3,#6a3de8);font-size:13px;letter-spacing:.5px}
.content{flex:1;min-width:0}
.meta{display:flex;align-items:baseline;gap:6px}
.name{font-weight:900}
.app-badge{background:#e8e8e8;color:#616061;font-size:10px;font-weight:700;padding:0 3px;border-radius:2px}
.time{color:#616061;font-size:12px}
.replies{display:flex;align-items:center;gap:12px;color:#616061;font-size:13px;padding:6px 20px}
.replies:after{content:"";flex:1;border-top:1px solid #e2e2e2}
.block{margin:4px 0}
.section{display:flex;gap:12px;align-items:flex-start}
.section-main{flex:1;min-width:0}
.section-text{white-space:normal;overflow-wrap:anywhere}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;margin-top:4px}
.accessory{flex:none}
.header{font-weight:900;font-size:18px;line-height:1.33;margin:6px 0}
.context{display:flex;flex-wrap:wrap;align-items:center;gap:6px;color:#616061;font-size:12px}
.context .emoji{font-size:13px}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.divider{border:0;border-top:1px solid #e2e2e2}
.button{display:inline-flex;align-items:center;gap:4px;height:28px;padding:0 12px;border:1px solid #bbbabb;border-radius:4px;background:#fff;color:#1d1c1d;font-weight:700;font-size:13px;text-decoration:none;white-space:nowrap}
.button.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.button.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
.external{font-size:11px;opacity:.7}
.overflow{display:inline-flex;align-items:center;justify-content:center;width:28px;height:28px;border:1px solid #bbbabb;border-radius:4px;font-weight:900;color:#1d1c1d}
.select{display:flex;justify-content:space-between;align-items:center;min-width:220px;height:36px;padding:0 10px;border:1px solid #bbbabb;border-radius:4px;background:#fff}
.select.empty{color:#868686}
.caret{color:#616061;margin-left:12px}
.choices{display:flex;flex-direction:column;gap:6px;margin-top:2px}
.choice{display:flex;align-items:center;gap:8px}
.radio,.checkbox{width:16px;height:16px;border:1px solid #868686;border-radius:50%;display:inline-block;flex:none}
.checkbox{border-radius:3px}
.radio.on{border:5px solid #1264a3}
.checkbox.on{background:#1264a3;border-color:#1264a3}
.text-input{border:1px solid #bbbabb;border-radius:4px;padding:8px 10px;min-height:36px;background:#fff}
.text-input.multiline{min-height:72px}
.placeholder{color:#868686}
.input{margin:14px 0}
.input .label{font-weight:700;margin-bottom:6px}
.optional{font-weight:400;color:#616061}
.hint{color:#616061;font-size:13px;margin-top:4px}
pre.code-block{margin:4px 0;padding:8px;background:#f8f8f8;border:1px solid #e2e2e2;border-radius:4px;font-family:Monaco,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px;line-height:1.5;white-space:pre-wrap;overflow-wrap:anywhere}
code{font-family:Monaco,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px;color:#c01343;background:#f6f6f6;border:1px solid #e2e2e2;border-radius:3px;padding:1px 3px}
pre code{color:inherit;background:none;border:0;padding:0}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
.mention.broadcast{background:#fff3cd;color:#7a5b00}
a{color:#1264a3;text-decoration:none}
.quote{display:block;border-left:4px solid #ddd;padding-left:12px;color:#454245}
.file{display:flex;align-items:center;gap:10px;max-width:420px;padding:10px 12px;margin:6px 0;border:1px solid #e2e2e2;border-radius:8px;background:#fff}
.file-icon{width:36px;height:40px;border-radius:4px;background:#868686;color:#fff;font-size:10px;font-weight:900;display:flex;align-items:flex-end;justify-content:center;padding-bottom:5px}
.file-name{font-weight:700}
.file-meta{color:#616061;font-size:12px}
.emoji{font-family:"Noto Color Emoji","Apple Color Emoji","Segoe UI Emoji",sans-serif}
.modals{padding:12px 20px 32px;border-top:1px solid #e2e2e2;background:#f8f8f8}
.modals h2{font-size:15px;color:#616061;margin:12px 0}
.modal-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:20px;align-items:start}
.modal-figure{margin:0}
.modal-figure figcaption{color:#616061;font-size:13px;margin-bottom:6px}
.modal{width:100%;background:#fff;border-radius:8px;box-shadow:0 0 0 1px rgba(29,28,29,.13),0 18px 48px rgba(0,0,0,.25);overflow:hidden}
.modal-title{display:flex;align-items:center;gap:10px;padding:16px 20px;font-size:20px;font-weight:900;border-bottom:1px solid #e2e2e2}
.modal-app{width:28px;height:28px;border-radius:6px;background:linear-gradient(135deg,#1b6ef3,#6a3de8);color:#fff;font-size:11px;display:flex;align-items:center;justify-content:center}
.modal-x{margin-left:auto;color:#616061;font-size:16px}
.modal-body{padding:4px 20px 8px}
.modal-footer{display:flex;justify-content:flex-end;gap:8px;padding:14px 20px;border-top:1px solid #e2e2e2}
.unknown{color:#868686}
.token{display:inline-block;background:#e8f5fa;border:1px solid #b9deed;border-radius:4px;padding:0 6px;margin-right:4px;font-size:13px}
`;

/** The whole page: a thread pane (parent, reply count, replies) and, below it, the modals people filled in. */
export function renderThreadPage(input: ThreadPageInput): string {
  const names = input.names ?? {};
  const [parent, ...replies] = input.messages;
  const messages = [
    ...(parent ? [messageHtml(parent, undefined, input)] : []),
    replies.length > 0
      ? `<div class="replies">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</div>`
      : '',
    ...replies.map((message, index) => messageHtml(message, index === 0 ? undefined : replies[index - 1], input)),
  ].join('\n');
  const modals =
    input.modals && input.modals.length > 0
      ? `<section class="modals"><h2>Modals along the way</h2><div class="modal-grid">${input.modals.map((modal) => modalHtml(modal, names)).join('\n')}</div></section>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${Styles}</style>
</head>
<body>
<main class="pane">
<header class="pane-header"><span class="title">Thread</span><span class="channel">#${escapeHtml(input.channelName)}</span></header>
${messages}
${modals}
</main>
</body>
</html>
`;
}
