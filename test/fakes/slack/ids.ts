import { randomBytes, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** Slack-looking identifiers. Message ts values are unique and strictly increasing, even with a frozen clock. */
export class SlackIds {
  private lastMicros = 0;
  private sequence = 0;

  constructor(private readonly nowMs: () => number) {}

  /** '1764070000.000100': epoch seconds and six digits, strictly increasing. */
  ts(): string {
    const micros = Math.max(this.nowMs() * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    const fraction = String(micros % 1_000_000).padStart(6, '0');
    return `${seconds}.${fraction}`;
  }

  triggerId(): string {
    this.sequence += 1;
    return `${Math.floor(this.nowMs())}.${this.sequence}.${randomBytes(16).toString('hex')}`;
  }

  viewId(): string {
    return `V${randomFrom(UPPER_ALNUM, 10)}`;
  }

  fileId(): string {
    return `F${randomFrom(UPPER_ALNUM, 10)}`;
  }

  eventId(): string {
    return `Ev${randomFrom(UPPER_ALNUM, 10)}`;
  }

  /** views.* hash: changes on every update. */
  hash(): string {
    return `${Math.floor(this.nowMs() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  /** Slack fills a missing block_id/action_id with a short random string that may hold '+', '/' or '='. */
  blockId(): string {
    return randomBytes(3).toString('base64');
  }

  token(): string {
    return randomBytes(12).toString('hex');
  }

  uuid(): string {
    return randomUUID();
  }
}

/** conversations.replies cursors look like Slack's: base64 of `next_ts:<ts digits>`. */
export function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts.replace('.', '')}`).toString('base64');
}

export function decodeCursor(cursor: string): string | null {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  const match = /^next_ts:(\d+)(\d{6})$/.exec(decoded);
  if (!match) return null;
  return `${match[1]}.${match[2]}`;
}
