/** A short, low-cardinality name for a Slack request, for metrics and logs: `event:app_mention`, `block_actions`… */
export function requestKindOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return 'unknown';
  const record = body as Record<string, unknown>;
  const type = typeof record.type === 'string' ? record.type : undefined;
  if (type === 'event_callback') {
    const event = record.event as Record<string, unknown> | undefined;
    // A label, so a bounded set: whatever a payload claims as its type becomes a metric series otherwise.
    const eventType = typeof event?.type === 'string' && /^[a-z_]{1,40}$/.test(event.type) ? event.type : 'unknown';
    return `event:${eventType}`;
  }
  if (typeof record.command === 'string') return 'command';
  if (type && /^[a-z_]{1,40}$/.test(type)) return type;
  return 'unknown';
}

/** Team, channel, thread and user of a Slack request, for child loggers. Missing parts are left out. */
export function requestContextOf(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  // biome-ignore lint/suspicious/noExplicitAny: a best-effort read of any payload, for logging only
  const record = body as Record<string, any>;
  const event = record.event ?? {};
  const pick = (...values: unknown[]) => values.find((value): value is string => typeof value === 'string');
  const out: Record<string, string | undefined> = {
    teamId: pick(record.team_id, record.team?.id, event.team),
    channelId: pick(event.channel, record.channel?.id, record.container?.channel_id),
    threadTs: pick(event.thread_ts, event.ts, record.message?.thread_ts, record.container?.message_ts),
    userId: pick(event.user, record.user?.id),
    eventId: pick(record.event_id),
  };
  return Object.fromEntries(Object.entries(out).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
