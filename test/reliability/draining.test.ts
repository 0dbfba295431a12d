import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { postToApp } from '../fakes/slack/index.js';
import { eventually } from '../support/eventually.js';
import { chooseInView, openCreateTicket } from '../support/flows.js';
import { Channel, type Harness, People, SigningSecret, startHarness } from '../support/harness.js';
import {
  clickDecision,
  commandCard,
  createsIn,
  dev,
  devChoice,
  fastPacing,
  sendsTo,
  ticketThread,
} from './support/scenario.js';
import { fileCounters } from './support/summary.js';

const counters = fileCounters('draining');

/**
 * Slack retries an Events API delivery that gets a 5xx, but never an interaction (a click, a form submission, a
 * shortcut) or an options request: one refused while the service stops is lost for good. So while draining, events
 * get 503 and the rest is still handled.
 */
describe('draining: during a stop, clicks, submissions and options requests are handled; events get 503', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ serviceOptions: { slackPacing: fastPacing, shutdownTimeoutMs: 20_000 } });
  });
  afterAll(async () => {
    counters.save();
    await h?.stop();
  });

  it('handles a button click, a view submission and an options request that arrive while work drains', async () => {
    // The scene: a thread with a ticket and a command card, and another thread with its Create Ticket form open.
    const { threadTs, link } = await ticketThread(h, 'drain test: restart the web pods');
    const card = commandCard(h, threadTs);
    const { ts: newThreadTs } = await h.mention(People.alice, 'drain test: a new request');
    const viewId = await openCreateTicket(h, People.alice, newThreadTs);
    const selectTenant = h.slack.selectInView({
      user: People.alice.id,
      viewId,
      actionId: ActionId.SelectTenant,
      value: dev.id,
    }) as { user: unknown; team: unknown; api_app_id: string; token: string; view: { id: string } };
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, dev.id);
    const url = `${h.service.url}/slack/events`;

    // Work in flight when the stop begins: a message the agent takes 5 s to take.
    const sentBefore = sendsTo(h.portal.calls, link.ticketName).length;
    h.portal.inject({ method: 'POST', path: /\/sendmessage$/, delayMs: 5_000, times: 1 });
    counters.add('faultsInjected');
    const slow = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'take your time', threadTs });
    expect((await postToApp(url, SigningSecret, slow.event, { kind: 'event' })).status).toBe(200);
    await eventually(() => sendsTo(h.portal.calls, link.ticketName).length > sentBefore, 5_000, 'the slow relay');

    let stopped = false;
    const stopping = h.service.stop().then(() => {
      stopped = true;
    });
    counters.add('restarts');

    const click = await postToApp(url, SigningSecret, clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), {
      kind: 'interaction',
    });
    const ticketsBefore = createsIn(h.portal.calls, dev.id).length;
    const submission = await postToApp(
      url,
      SigningSecret,
      h.slack.submitView({
        user: People.alice.id,
        viewId,
        values: {
          [ActionId.SelectAgent]: devChoice.agentId,
          [ActionId.SelectIdentity]: devChoice.permissionIds[0] as string,
        },
      }),
      { kind: 'interaction' },
    );
    const options = await postToApp(
      url,
      SigningSecret,
      {
        type: 'block_suggestion',
        user: selectTenant.user,
        team: selectTenant.team,
        api_app_id: selectTenant.api_app_id,
        token: selectTenant.token,
        container: { type: 'view', view_id: selectTenant.view.id },
        view: selectTenant.view,
        action_id: ActionId.SelectTenant,
        block_id: 'tenant',
        value: 'dev',
      },
      { kind: 'options' },
    );
    const ignored = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'too late', threadTs });
    const event = await postToApp(url, SigningSecret, ignored.event, { kind: 'event' });
    // All of it answered while the stop was still waiting for the slow relay.
    expect(stopped).toBe(false);

    expect(click.status).toBe(200);
    expect(submission.status).toBe(200);
    expect(options.status).toBe(200);
    expect(JSON.stringify(options.json)).toContain(dev.id);
    expect(event.status).toBe(503);
    expect(event.headers['retry-after']).toBe('5');
    // Refused before it was de-duplicated: Slack's retry of it will be handled as the first delivery.
    expect(await h.service.store.recordEvent(String(ignored.event.event_id), new Date())).toBe(true);

    await stopping;
    expect(h.logs.text()).not.toContain('stopping with work still in flight');
    // The click and the submission did their work before the process let go; the event did nothing.
    expect(h.transcript(threadTs).join('\n')).toContain('Approved by @UALICE');
    expect(createsIn(h.portal.calls, dev.id).length - ticketsBefore).toBe(1);
    expect(sendsTo(h.portal.calls, link.ticketName).length - sentBefore).toBe(1);
  });
});
