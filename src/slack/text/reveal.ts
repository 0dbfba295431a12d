import { codePointLabel, hiddenCharacterPattern } from '../../domain/command-card.js';

/**
 * Text with every hidden character (the rule in domain/command-card.ts: bidi controls, zero-width and other format
 * or control characters, spaces other than U+0020, …) written out as `⟦U+202E⟧`, so a command card shows what a
 * command is, not what it makes itself look like. Tabs, newlines and emoji are left as they are.
 */
export const revealHiddenCharacters = (text: string): string =>
  text.replace(hiddenCharacterPattern(), (char) => `⟦${codePointLabel(char)}⟧`);
