import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimits } from '../../src/domain/rate-limit.js';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import {
  chooseInView,
  createTicketThroughSlack,
  openCreateTicket,
  openUpdateContext,
  submit,
} from '../support/flows.js';
import { type Harness, People, startHarness } from '../support/harness.js';
import { devChoice, fastPacing, sendsTo, ticketThread } from './support/scenario.js';
import { fileCounters } from './support/summary.js';

const counters = fileCounters('abuse');

// Small limits, refilled slowly (one a minute), so a test can hit them and then move the clock instead of waiting.
const limits: RateLimits = {
  relayPerPerson: { capacity: 3, perMinute: 1 },
  relayPerThread: { capacity: 5, perMinute: 1 },
  ticketPerPerson: { capacity: 3, perMinute: 1 },
  ticketPerThread: { capacity: 2, perMinute: 1 },
};

describe('abuse limits: one person or one thread cannot flood a portal', () => {
  let h: Harness;
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const later = (minutes: number) => {
    offsetMs += minutes * 60_000;
  };
  const limitNotices = (userId: string) =>
    h.slack.ephemerals(userId).filter((message) => JSON.stringify(message).includes('Too many'));

  beforeAll(async () => {
    h = await startHarness({ serviceOptions: { clock, rateLimits: limits, slackPacing: fastPacing } });
  });
  afterAll(async () => {
    counters.save();
    await h?.stop();
  });

  it('stops one person flooding a thread, explains the limit, and lets them go on later', async () => {
    later(10);
    const { threadTs, link } = await ticketThread(h, 'flood test, nothing to run');
    h.portal.setAgentScript(({ message }) => ({ content: `ok: ${message.content}` }));
    const before = sendsTo(h.portal.calls, link.ticketName).length;
    for (let index = 1; index <= 8; index += 1) await h.say(People.alice, `message ${index}`, threadTs);
    const sent = sendsTo(h.portal.calls, link.ticketName).length - before;
    expect(sent).toBe(3);
    const notices = limitNotices(People.alice.id);
    counters.add('limitsHit', notices.length);
    expect(notices).toHaveLength(5);
    const words = JSON.stringify(notices.at(-1));
    expect(words).toContain('Too many messages sent to the agent by one person');
    expect(words).toContain('at most 3 at once, then 1 a minute');
    expect(words).toMatch(/Try again in \d+ s/);
    // Nothing about it in the thread: the limit is the flooder's business.
    expect(h.transcript(threadTs).join('\n')).not.toContain('Too many');

    later(1);
    await h.say(People.alice, 'after a minute', threadTs);
    expect(sendsTo(h.portal.calls, link.ticketName).length - before).toBe(4);
    h.portal.resetAgentScript();
  });

  it('limits a thread across people', async () => {
    later(10);
    const { threadTs, link } = await ticketThread(h, 'thread flood test, nothing to run');
    h.portal.setAgentScript(({ message }) => ({ content: `ok: ${message.content}` }));
    const before = sendsTo(h.portal.calls, link.ticketName).length;
    // Alice and the admin take turns: each stays within 3, the thread's 5 runs out.
    for (let index = 1; index <= 6; index += 1) {
      await h.say(index % 2 === 0 ? People.admin : People.alice, `turn ${index}`, threadTs);
    }
    expect(sendsTo(h.portal.calls, link.ticketName).length - before).toBe(5);
    const notice = JSON.stringify(limitNotices(People.admin.id).at(-1));
    counters.add('limitsHit');
    expect(notice).toContain('Too many messages sent to the agent in one thread');
    h.portal.resetAgentScript();
  });

  it('stops one person creating tickets past the limit, in the form, without calling the portal', async () => {
    later(10);
    for (let index = 1; index <= 3; index += 1) {
      await createTicketThroughSlack(h, People.alice, `ticket ${index} of a flood`, devChoice);
    }
    const created = h.portal.tickets().length;
    const { ts } = await h.mention(People.alice, 'ticket 4 of a flood');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, devChoice.spaceId);
    const outcome = await submit(h, People.alice, viewId, {
      [ActionId.SelectAgent]: devChoice.agentId,
      [ActionId.SelectIdentity]: devChoice.permissionIds[0] as string,
    });
    counters.add('limitsHit');
    expect(outcome).toMatchObject({ kind: 'errors' });
    expect(JSON.stringify(outcome)).toContain('Too many tickets created by one person');
    expect(h.portal.tickets().length).toBe(created);

    // Another person is not held back by Alice's limit.
    await createTicketThroughSlack(h, People.admin, 'someone else may still create one', devChoice);
    expect(h.portal.tickets().length).toBe(created + 1);
  });

  it('limits how often one thread can be moved to new tickets (Update Context)', async () => {
    later(10);
    const { threadTs } = await ticketThread(h, 'move me around');
    const move = async (tenantId: string, identity: string) => {
      const viewId = await openUpdateContext(h, People.admin, threadTs);
      await chooseInView(h, People.admin, viewId, ActionId.SelectTenant, tenantId);
      return submit(h, People.admin, viewId, {
        [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
        [ActionId.SelectIdentity]: identity,
        [ActionId.ShareThread]: 'no',
        [ActionId.NewMessage]: 'moving',
      });
    };
    const staging = [SeedTenants.staging.id, SeedIdentities.staging[0] as string] as const;
    const dev = [SeedTenants.dev.id, SeedIdentities.dev[0] as string] as const;
    // The thread's first ticket used one of its two; one move is left.
    expect((await move(...staging)).kind).toBe('closed');
    const refused = await move(...dev);
    counters.add('limitsHit');
    expect(refused).toMatchObject({ kind: 'errors' });
    expect(JSON.stringify(refused)).toContain('Too many tickets created in one thread');
  });
});
