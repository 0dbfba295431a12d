import { createHmac } from 'node:crypto';

export interface SlackSignatureHeaders {
  readonly 'x-slack-signature': string;
  readonly 'x-slack-request-timestamp': string;
}

/** Slack's v0 request signature: `v0=` + hex HMAC-SHA256(secret, `v0:<timestamp>:<raw body>`). */
export function signSlackRequest(
  secret: string,
  body: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const digest = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

/**
 * event: Events API (JSON). interaction: block_actions, view_submission, view_closed. options: block_suggestion.
 * command: a slash command (its fields form-encoded, without `payload=`).
 */
export type SlackDeliveryKind = 'event' | 'interaction' | 'options' | 'command';

/** The raw body and content type Slack uses for each kind: JSON for events, `payload=<JSON>` forms for the rest. */
export function encodeSlackDelivery(
  payload: unknown,
  kind: SlackDeliveryKind,
): { readonly body: string; readonly contentType: string } {
  if (kind === 'event') return { body: JSON.stringify(payload), contentType: 'application/json' };
  if (kind === 'command') {
    // Every field a string, as Slack posts them (docs/slack-platform.md §1).
    const fields = Object.entries(payload as Record<string, unknown>).map(([key, value]): [string, string] => [
      key,
      String(value),
    ]);
    return { body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  // Exactly this content type: Bolt compares it verbatim before reading `payload`.
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

export interface PostToAppOptions {
  readonly kind: SlackDeliveryKind;
  /** X-Slack-Retry-Num, as Slack sets on redeliveries (1, 2, 3). */
  readonly retryNum?: number;
  /** X-Slack-Retry-Reason: 'http_timeout', 'http_error'… */
  readonly retryReason?: string;
  /** Signing time; default now. */
  readonly timestampSeconds?: number;
  /** Replaces the computed X-Slack-Signature (to test refusals). */
  readonly signature?: string;
}

export interface AppResponse {
  readonly status: number;
  /** The raw response text (a view_submission ack's response_action JSON, an options list, '' for a bare ack). */
  readonly body: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json?: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** How long the app took to answer: Slack gives up after 3000 ms. */
  readonly elapsedMs: number;
}

/** Delivers a payload to the app exactly as Slack would: encoded, signed, with retry headers when asked. */
export async function postToApp(
  url: string,
  secret: string,
  payload: unknown,
  options: PostToAppOptions,
): Promise<AppResponse> {
  const { body, contentType } = encodeSlackDelivery(payload, options.kind);
  const signed = signSlackRequest(secret, body, options.timestampSeconds);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': signed['x-slack-request-timestamp'],
    'x-slack-signature': options.signature ?? signed['x-slack-signature'],
  };
  if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    body: text,
    ...(json === undefined ? {} : { json }),
    headers: Object.fromEntries(response.headers.entries()),
    elapsedMs,
  };
}
