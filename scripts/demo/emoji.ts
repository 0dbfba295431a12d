/** The few emoji shortcodes the app and the demo use, as Slack's client draws them. Unknown ones stay as text. */
export const EmojiByShortcode: Readonly<Record<string, string>> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  heavy_minus_sign: '➖',
  ticket: '🎫',
  robot_face: '🤖',
  eyes: '👀',
  mag: '🔍',
  lock: '🔒',
  memo: '📝',
  rocket: '🚀',
  tada: '🎉',
  thinking_face: '🤔',
  arrows_counterclockwise: '🔄',
  information_source: 'ℹ️',
  no_entry: '⛔',
  paperclip: '📎',
  link: '🔗',
};

/** `:white_check_mark: Approved` → `✅ Approved`; shortcodes not in the table are left as typed. */
export const replaceEmojiShortcodes = (text: string, wrap: (emoji: string) => string = (emoji) => emoji): string =>
  text.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => {
    const emoji = EmojiByShortcode[name];
    return emoji ? wrap(emoji) : whole;
  });
