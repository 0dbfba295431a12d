import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Probes } from '../../src/portal/index.js';
import { createTicketThroughSlack, devChoice } from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';

interface LogLine {
  readonly msg?: string;
  readonly level?: string;
  readonly kind?: string;
  readonly correlationId?: string;
  readonly operation?: string;
  readonly portal?: string;
  readonly outcome?: string;
}

const choice = devChoice;

describe('correlation ids from Slack request to portal call', () => {
  let h: Harness;
  const lines = (): LogLine[] => h.logs.lines.map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    h = await startHarness({ logLevel: 'debug' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("ties the ticket's creation, in the portal and in the logs, to the Create Ticket submission", async () => {
    const { outcome } = await createTicketThroughSlack(h, People.alice, 'the web pods keep restarting', choice);
    expect(outcome.kind).toBe('closed');

    const created = h.portal.callsTo('POST', /^\/v1\/aiservicedesk\/tickets\/[^/]+$/);
    expect(created).toHaveLength(1);
    const id = created[0]?.correlationId;
    expect(id).toMatch(/^[0-9a-f]{12}$/); // an interaction has no event_id: a fresh id

    const tagged = lines().filter((line) => line.correlationId === id);
    expect(tagged).toContainEqual(expect.objectContaining({ msg: 'slack request', kind: 'view_submission' }));
    expect(tagged).toContainEqual(
      expect.objectContaining({ msg: 'portal call', portal: 'acme', operation: 'createTicket' }),
    );
    // Every line of that request carries the same id, and no other request's line does.
    expect(new Set(tagged.filter((line) => line.kind !== undefined).map((line) => line.kind))).toEqual(
      new Set(['view_submission']),
    );
  });

  it("uses the event's event_id for an event, so Slack's retries share it", async () => {
    const { threadTs } = await createTicketThroughSlack(h, People.alice, 'is staging healthy?', choice);
    const sentBefore = h.portal.callsTo('POST', /\/sendmessage$/).length;
    const delivery = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'and now?', threadTs });
    for (const envelope of delivery.events) await h.send(envelope, 'event');

    const sent = h.portal.callsTo('POST', /\/sendmessage$/).slice(sentBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.correlationId).toBe(delivery.event.event_id);
    expect(lines()).toContainEqual(
      expect.objectContaining({ msg: 'portal call', operation: 'sendMessage', correlationId: delivery.event.event_id }),
    );
    expect(lines()).toContainEqual(
      expect.objectContaining({
        msg: 'slack request',
        kind: 'event:app_mention',
        correlationId: delivery.event.event_id,
      }),
    );

    // The one line at info for the request: how it ended, under the same id.
    expect(lines().filter((line) => line.level === 'info' && line.correlationId === delivery.event.event_id)).toEqual([
      expect.objectContaining({ msg: 'slack request handled', kind: 'event:app_mention', outcome: 'ok' }),
    ]);

    await h.send(delivery.event, 'event', { retryNum: 1 });
    expect(lines()).toContainEqual(
      expect.objectContaining({
        msg: 'slack request handled',
        outcome: 'duplicate',
        correlationId: delivery.event.event_id,
      }),
    );
    expect(h.portal.callsTo('POST', /\/sendmessage$/).slice(sentBefore)).toHaveLength(1);
  });

  it('gives every Slack request its own id and every portal call made for one of them an id', async () => {
    // Start-up's HelpDesk detection (docs/duplocloud-api.md §0) is no Slack request's: its probes carry no id.
    const startup = h.portal.calls.filter((call) => call.correlationId === null);
    expect(startup.map((call) => call.path).sort()).toEqual(Object.values(Probes).sort());
    const ids = h.portal.calls.filter((call) => !startup.includes(call)).map((call) => call.correlationId);
    expect(ids.length).toBeGreaterThan(3);
    expect(ids).not.toContain(null);
    const requests = lines().filter((line) => line.msg === 'slack request');
    // One repeat: the retried app_mention above shares its original's id.
    expect(new Set(requests.map((line) => line.correlationId)).size).toBe(requests.length - 1);
  });
});
