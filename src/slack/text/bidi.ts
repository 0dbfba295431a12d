/**
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) make text display in an
 * order other than the one it is written in: a tenant named `\u202Eved-dorp` would read as `prod-dev`. Untrusted text
 * (names from the portal, agent replies, command output, typed reasons) is shown without them, so what a reader
 * sees is what the text is; nothing else changes (Arabic and Hebrew still display right to left by themselves, and
 * the marks U+200E/U+200F stay). Command cards go further and reveal every hidden character (reveal.ts).
 */
const BidiControls = /[\u202A-\u202E\u2066-\u2069]/g;

export const withoutBidiControls = (text: string): string => text.replace(BidiControls, '');
