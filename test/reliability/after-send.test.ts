import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TicketLink } from '../../src/domain/thread-link.js';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import type { FaultInjection } from '../fakes/slack/index.js';
import { type FaultyStore, openFaultyStore } from '../support/faulty-store.js';
import { chooseInView, createTicketThroughSlack, openUpdateContext, submit } from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';
import {
  approveFirst,
  cardIdOf,
  clickDecision,
  clickSubmit,
  commandCard,
  devChoice,
  echoesFor,
  fastPacing,
  generousLimits,
  sendsTo,
  ticketThread,
} from './support/scenario.js';
import { fileCounters } from './support/summary.js';

const counters = fileCounters('after-send');

/**
 * Issue 12 item 5: what a person reads when something fails after the portal accepted a message, an approval echo,
 * a new ticket or a reassigned agent. Each step after the send is made to fail once (the store through a wrapper that
 * refuses one call, Slack through the fake's injections): the person reads what reached the agent and what could not
 * be shown or recorded, never "failed" or "not sent", and nothing goes to the portal twice.
 */
describe('failures after the portal accepted something', () => {
  let h: Harness;
  let faulty: FaultyStore;
  const failSlack = (fault: FaultInjection) => {
    counters.add('faultsInjected', fault.times ?? 1);
    h.slack.inject(fault);
  };
  const failStore = (...args: Parameters<FaultyStore['fail']>) => {
    counters.add('faultsInjected', args[1]?.times ?? 1);
    faulty.fail(...args);
  };
  /** chat.postMessage refused (invalid_blocks) once, for the message whose arguments contain `needle`. */
  const refusePost = (needle: string): FaultInjection => ({
    method: 'chat.postMessage',
    error: 'invalid_blocks',
    match: (args) => JSON.stringify(args).includes(needle),
  });
  /** The words of the newest bot notice in the thread. */
  const lastNotice = (threadTs: string) => h.botMessage(threadTs, /:warning:|⚠️/).text;
  const neverSaysFailed = (text: string) => {
    expect(text).not.toMatch(/\bfailed\b|not sent|did not answer|may or may not|try again/i);
  };

  beforeAll(async () => {
    faulty = await openFaultyStore();
    // One person creates a ticket per test: limits are not what this file is about.
    h = await startHarness({
      store: faulty.store,
      serviceOptions: { slackPacing: fastPacing, rateLimits: generousLimits },
    });
    h.portal.addAgent({ name: 'ops-agent', instanceId: 'ops-1' });
  });
  afterEach(() => {
    expect(faulty.pending()).toBe(0);
    faulty.clear();
    h.slack.clearInjections();
    h.portal.clearFaults();
    h.portal.resetAgentScript();
  });
  afterAll(async () => {
    counters.save();
    await h?.stop();
    await faulty?.close();
  });

  describe('a relayed message', () => {
    const relay = async (text: string, prepare: (link: TicketLink) => void) => {
      const { threadTs, link } = await ticketThread(h, 'a ticket to talk to');
      prepare(link);
      const sends = sendsTo(h.portal.calls, link.ticketName).length;
      const from = h.transcript(threadTs).length;
      await h.say(People.alice, text, threadTs);
      expect(sendsTo(h.portal.calls, link.ticketName)).toHaveLength(sends + 1);
      return { threadTs, link, from };
    };

    it('store refuses the proposed commands: the answer is shown, the message reached the agent', async () => {
      const { threadTs, from } = await relay('restart the web pods please', () => failStore('createCard'));
      const thread = h.transcript(threadTs).slice(from).join('\n');
      expect(thread).toContain('restart');
      expect(thread).not.toMatch(/proposes \d+ command/);
      const notice = lastNotice(threadTs);
      expect(notice).toContain('Your message reached *Kubernetes Agent*, but the service could not record');
      expect(notice).toContain('the commands the agent proposed (the service’s database is not answering)');
      expect(notice).toContain('Ask the agent to propose them again. Your message need not be sent again.');
      neverSaysFailed(notice);
    });

    it('Slack refuses the answer: the message reached the agent; where to read the answer', async () => {
      h.portal.setAgentScript(() => ({ content: 'The answer Slack will refuse.' }));
      const { threadTs, link, from } = await relay('what is wrong?', () =>
        failSlack(refusePost('The answer Slack will refuse.')),
      );
      expect(h.transcript(threadTs).slice(from).join('\n')).not.toContain('The answer Slack will refuse.');
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        'Your message reached *Kubernetes Agent*, but the agent’s answer could not be shown here (Slack refused a message this service built; it is logged).',
      );
      expect(notice).toContain(`Read it on the ticket in the AI HelpDesk (${h.service.deps.tickets.ticketUrl(link)})`);
      expect(notice).toContain('Your message need not be sent again.');
      neverSaysFailed(notice);
    });

    it('Slack refuses the command card: the answer is shown, the message reached the agent', async () => {
      const { threadTs, from } = await relay('restart the web pods please', () =>
        failSlack(refusePost(ActionId.Submit)),
      );
      const thread = h.transcript(threadTs).slice(from).join('\n');
      expect(thread).toContain('Kubernetes Agent');
      expect(thread).not.toMatch(/proposes \d+ command/);
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        'Your message reached *Kubernetes Agent*, but the commands the agent proposed could not be shown here (Slack refused',
      );
      expect(notice).toContain('Ask the agent to propose them again.');
      neverSaysFailed(notice);
    });

    it('store refuses where the card is: the card is shown, and Submit still works', async () => {
      const { threadTs, link } = await relay('restart the web pods please', () => failStore('setCardMessageTs'));
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        'Your message reached *Kubernetes Agent*, but the service could not record which message shows the command card',
      );
      expect(notice).toContain('its Submit still works');
      neverSaysFailed(notice);
      const card = await approveFirst(h, threadTs);
      await h.send(clickSubmit(h, People.alice, card.ts), 'interaction');
      expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);
    });

    it('Slack cannot post in the channel: the sender is told privately the message reached the agent', async () => {
      h.portal.setAgentScript(() => ({ content: 'an answer for nobody' }));
      await relay('are you there?', () => failSlack({ method: 'chat.postMessage', error: 'not_in_channel', times: 3 }));
      const told = JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1));
      expect(told).toContain('Your message reached *Kubernetes Agent*, but the agent’s answer could not be shown here');
      expect(told).toContain('I am not a member of this channel');
      neverSaysFailed(told);
      h.slack.clearInjections();
    });
  });

  describe('a Submit', () => {
    const submitted = async (prepare: (echoed: () => boolean) => void) => {
      const { threadTs, link } = await ticketThread(h);
      const card = await approveFirst(h, threadTs);
      const cardId = cardIdOf(h, card.ts);
      prepare(() => echoesFor(h.portal.calls, link.ticketName).length > 0);
      // A second click built while the button was still shown, to arrive late.
      const [click, lateClick] = [clickSubmit(h, People.alice, card.ts), clickSubmit(h, People.alice, card.ts)];
      await h.send(click, 'interaction');
      expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);
      return { threadTs, link, card, cardId, lateClick };
    };

    it('store refuses the result: the card ends executed, outputs are posted, nothing is sent again', async () => {
      const { threadTs, link, cardId, lateClick } = await submitted(() => {
        failStore('transitionCard', { when: ([, , to]) => to === 'executed' });
        failStore('appendAudit', { when: ([entry]) => (entry as { action: string }).action === 'command.executed' });
      });
      expect(commandCard(h, threadTs).text).toMatch(/Submitted by @UALICE: 1 approved/);
      expect(h.transcript(threadTs).join('\n')).toMatch(/Output of/i);
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        'Your decisions reached *Kubernetes Agent*, but the service could not record that these decisions were sent or the audit log entry (the service’s database is not answering).',
      );
      expect(notice).toContain('They will not be sent again.');
      neverSaysFailed(notice);
      expect((await h.service.store.getCard(cardId))?.status).toBe('submitted');
      // A late click finds the card claimed: no second echo.
      await h.send(lateClick, 'interaction');
      expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);
      expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain('already submitted');
    });

    it('Slack refuses an output: the card ends executed, the rest is posted, nothing is sent again', async () => {
      const { threadTs } = await submitted(() => failSlack(refusePost('Output of')));
      expect(commandCard(h, threadTs).text).toMatch(/Submitted by @UALICE: 1 approved/);
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        'Your decisions reached *Kubernetes Agent*, but some command outputs could not be shown',
      );
      expect(notice).toContain('They will not be sent again.');
      neverSaysFailed(notice);
    });

    it('Slack refuses to redraw the card: the outputs are posted and the thread says so', async () => {
      const { threadTs } = await submitted(() =>
        failSlack({ method: 'chat.update', error: 'invalid_blocks', times: 2 }),
      );
      expect(h.transcript(threadTs).join('\n')).toMatch(/Output of/i);
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        'Your decisions reached *Kubernetes Agent*, but this card’s new state could not be shown',
      );
      neverSaysFailed(notice);
    });

    it('store cannot read the ticket link once the card is claimed: the outputs are still posted', async () => {
      // The Submit's own check reads the link; every read after it fails: the card's redraws, the read that opens
      // the live answer (so the answer cannot be shown live), and the read after the echo.
      let reads = 0;
      const { threadTs } = await submitted(() => {
        failStore('getLink', {
          times: 4,
          when: () => {
            reads += 1;
            return reads > 1;
          },
        });
      });
      expect(h.transcript(threadTs).join('\n')).toMatch(/Output of/i);
      const notice = lastNotice(threadTs);
      expect(notice).toContain('Your decisions reached');
      neverSaysFailed(notice);
    });
  });

  describe('a new ticket', () => {
    const created = async (prepare: () => void) => {
      const creates = h.portal.callsTo('POST', new RegExp(`/tickets/${devChoice.spaceId}$`)).length;
      prepare();
      const { threadTs } = await createTicketThroughSlack(h, People.alice, 'restart the web pods in dev', devChoice);
      expect(h.portal.callsTo('POST', new RegExp(`/tickets/${devChoice.spaceId}$`))).toHaveLength(creates + 1);
      const thread = { teamId: h.slack.teamId, channelId: Channel, threadTs };
      return { threadTs, link: await h.service.store.activeLink(thread) };
    };
    const firstMessages = (link: TicketLink | null) => (link ? sendsTo(h.portal.calls, link.ticketName) : []);

    it('store cannot link it: the ticket exists, nothing is sent to it, and creating again is discouraged', async () => {
      const { threadTs, link } = await created(() => failStore('linkThread'));
      expect(link).toBeNull();
      const notice = lastNotice(threadTs);
      expect(notice).toMatch(
        /Ticket \*[^*]+\* was created, but this thread could not be linked to it \(the service’s database/,
      );
      expect(notice).toContain('so the request was not sent to its agent');
      expect(notice).toContain('Create Ticket here again would open a second one');
      const name = /Ticket \*([^*]+)\* was created/.exec(notice)?.[1] ?? '';
      expect(sendsTo(h.portal.calls, name)).toHaveLength(0);
    });

    it('store refuses the audit entry: the ticket is open and the first answer shown', async () => {
      const { threadTs, link } = await created(() =>
        failStore('appendAudit', { when: ([entry]) => (entry as { action: string }).action === 'ticket.created' }),
      );
      expect(firstMessages(link)).toHaveLength(1);
      expect(h.transcript(threadTs).join('\n')).toMatch(/proposes 2 command/);
      const notice = lastNotice(threadTs);
      expect(notice).toMatch(/Ticket \*[^*]+\* is open and the request reached \*Kubernetes Agent\*, but the service/);
      expect(notice).toContain('but the service could not record the audit log entry');
      expect(notice).toContain('There is no need to create it or send the request again.');
      neverSaysFailed(notice);
    });

    it('Slack refuses the ticket card: the first answer is still shown, the card comes back later', async () => {
      const { threadTs, link } = await created(() => failSlack(refusePost(ActionId.TicketMenu)));
      expect(firstMessages(link)).toHaveLength(1);
      expect(h.transcript(threadTs).join('\n')).toMatch(/proposes 2 command/);
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        'is open and the request reached *Kubernetes Agent*, but the ticket card could not be shown',
      );
      expect(notice).toContain('the next message here brings its card back');
      neverSaysFailed(notice);
      await h.say(People.alice, 'and now?', threadTs);
      expect(h.transcript(threadTs).join('\n')).toContain('Open AI HelpDesk');
    });

    it('Slack refuses the first answer: the ticket card is shown, the request reached the agent', async () => {
      h.portal.setAgentScript(() => ({ content: 'A first answer Slack refuses.' }));
      const { threadTs, link } = await created(() => failSlack(refusePost('A first answer Slack refuses.')));
      expect(firstMessages(link)).toHaveLength(1);
      const thread = h.transcript(threadTs).join('\n');
      expect(thread).toContain('Open AI HelpDesk');
      expect(thread).not.toContain('A first answer Slack refuses.');
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        'is open and the request reached *Kubernetes Agent*, but the agent’s answer could not be shown here (Slack refused',
      );
      expect(notice).toContain('There is no need to create it or send the request again.');
      neverSaysFailed(notice);
    });

    it('store refuses the first answer’s proposals: the answer is shown, the request reached the agent', async () => {
      const { threadTs, link } = await created(() => failStore('createCard'));
      expect(firstMessages(link)).toHaveLength(1);
      expect(h.transcript(threadTs).join('\n')).toContain('Open AI HelpDesk');
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        'is open and the request reached *Kubernetes Agent*, but the service could not record the commands the agent proposed',
      );
      neverSaysFailed(notice);
    });
  });

  describe('Update Context', () => {
    const staging = { spaceId: SeedTenants.staging.id, identity: SeedIdentities.staging[0] as string };
    const move = async (threadTs: string) => {
      const viewId = await openUpdateContext(h, People.alice, threadTs);
      await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, staging.spaceId);
      await submit(h, People.alice, viewId, {
        [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
        [ActionId.SelectIdentity]: staging.identity,
        [ActionId.ShareThread]: 'no',
        [ActionId.NewMessage]: 'restart the web pods in staging',
      });
    };

    it('store cannot move the thread: the new ticket exists, the thread stays, nothing is sent to it', async () => {
      const { threadTs, thread, link } = await ticketThread(h, 'pods in dev, move me');
      failStore('linkThread');
      await move(threadTs);
      expect((await h.service.store.activeLink(thread))?.id).toBe(link.id);
      const notice = lastNotice(threadTs);
      expect(notice).toMatch(
        /Ticket \*[^*]+\* was created in \*staging\* for this thread, but the thread could not be moved/,
      );
      expect(notice).toContain(`This thread stays on ticket *${link.ticketName}*`);
      const name = /Ticket \*([^*]+)\* was created/.exec(notice)?.[1] ?? '';
      expect(sendsTo(h.portal.calls, name)).toHaveLength(0);
    });

    it('Slack refuses the new ticket card: the thread moved, its first answer is shown', async () => {
      const { threadTs, thread } = await ticketThread(h, 'pods in dev, move me too');
      failSlack(refusePost(ActionId.TicketMenu));
      await move(threadTs);
      const moved = await h.service.store.activeLink(thread);
      expect(moved?.spaceId).toBe(staging.spaceId);
      expect(sendsTo(h.portal.calls, moved?.ticketName ?? '')).toHaveLength(1);
      const notice = lastNotice(threadTs);
      expect(notice).toContain(`This thread now goes to ticket *${moved?.ticketName}*`);
      expect(notice).toContain(
        'and its first message reached *Kubernetes Agent*, but the ticket card could not be shown',
      );
      expect(notice).toContain('There is no need to update the context again.');
      neverSaysFailed(notice);
    });

    it('store refuses the new agent after the portal reassigned it: says so, and how to record it', async () => {
      const { threadTs, thread, link } = await ticketThread(h, 'pods in dev, new agent please');
      failStore('updateLink', { when: ([, patch]) => (patch as { agentId?: string }).agentId === 'ops-1' });
      const viewId = await openUpdateContext(h, People.alice, threadTs);
      await submit(h, People.alice, viewId, { [ActionId.SelectAgent]: 'ops-1' });
      expect(h.portal.callsTo('PUT', new RegExp(`/${link.ticketName}/assignee$`))).toHaveLength(1);
      expect((await h.service.store.activeLink(thread))?.agentId).toBe(link.agentId);
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        `Ticket *${link.ticketName}* now has agent *ops-agent* in the AI HelpDesk, but the service could not record the new agent`,
      );
      expect(notice).toContain('choose the new one again with Update Context');
      expect(notice).not.toContain('no need to update the context again');
    });

    it('Slack refuses the note: the agent was changed, the thread says so', async () => {
      const { threadTs, link } = await ticketThread(h, 'pods in dev, another agent please');
      failSlack(refusePost('updated the context'));
      const viewId = await openUpdateContext(h, People.alice, threadTs);
      await submit(h, People.alice, viewId, { [ActionId.SelectAgent]: 'ops-1' });
      const notice = lastNotice(threadTs);
      expect(notice).toContain(
        `Ticket *${link.ticketName}* now has agent *ops-agent* in the AI HelpDesk, but the note`,
      );
      neverSaysFailed(notice);
    });
  });

  it('an answer with lone surrogates is shown, its proposal recorded and run, the audit written (U+FFFD in their place)', async () => {
    const getPods = 'kubectl get pods -n duploservices-dev';
    h.portal.setAgentScript(({ decisions }) =>
      decisions.length > 0
        ? {
            content: 'Ran it \ud800.',
            data: { executed_cmds: [{ command: `${getPods} # \ud800`, output: 'web-1 Running \udc00' }] },
          }
        : {
            content: 'Here is \udbff what I would run.',
            data: { cmds: [{ command: getPods, execute: false, description: 'see the \ud800 pods' }] },
          },
    );
    const { threadTs, link } = await ticketThread(h, 'surrogates in the answer, please');
    const card = h.botMessage(threadTs, /proposes a command/);
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
    const cardId = cardIdOf(h, card.ts);
    await h.send(clickSubmit(h, People.alice, card.ts), 'interaction');
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);
    expect((await h.service.store.getCard(cardId))?.status).toBe('executed');
    const audit = await h.service.store.auditForTicket('acme', link.ticketName);
    expect(audit.find((entry) => entry.action === 'command.executed')?.detail).toMatchObject({
      command: `${getPods} # \ufffd`,
    });
    const thread = h.transcript(threadTs).join('\n');
    expect(thread).toContain('Here is \ufffd what I would run.');
    expect(thread).toContain('web-1 Running \ufffd');
    neverSaysFailed(thread);
    expect(JSON.stringify(h.slack.calls.map((call) => call.args))).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
  });

  it('sent the portal no message twice', () => {
    const bodies = h.portal.calls
      .filter((call) => call.method === 'POST' && call.path.endsWith('/sendmessage'))
      .map((call) => `${call.path} ${JSON.stringify(call.body)}`);
    const duplicates = bodies.length - new Set(bodies).size;
    counters.add('duplicatesFound', duplicates);
    expect(duplicates).toBe(0);
  });
});
