import { describe, expect, it } from 'vitest';
import { isDomainError } from './errors.js';
import { createRateLimiter, type RateLimits } from './rate-limit.js';

const limits: RateLimits = {
  relayPerPerson: { capacity: 3, perMinute: 6 },
  relayPerThread: { capacity: 5, perMinute: 6 },
  ticketPerPerson: { capacity: 2, perMinute: 1 },
  ticketPerThread: { capacity: 1, perMinute: 1 },
};

function clockAt(iso: string) {
  let now = new Date(iso).getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const refusal = (work: () => void) => {
  try {
    work();
  } catch (error) {
    if (isDomainError(error, 'limit.exceeded')) return error.details;
    throw error;
  }
  return null;
};

describe('rate limiter', () => {
  it('allows a burst up to capacity per person, then refuses with when to retry, and refills', () => {
    const clock = clockAt('2026-03-02T09:00:00Z');
    const limiter = createRateLimiter({ clock, limits });
    const who = { person: 'U1', thread: 'T/C/1' };
    for (let i = 0; i < 3; i += 1) limiter.take('relay', who);
    expect(refusal(() => limiter.take('relay', who))).toEqual({
      action: 'relay',
      scope: 'person',
      capacity: 3,
      perMinute: 6,
      retryAfterSeconds: 10,
    });
    clock.advance(10_000);
    expect(refusal(() => limiter.take('relay', who))).toBeNull();
    expect(refusal(() => limiter.take('relay', who))).not.toBeNull();
  });

  it('limits a thread across people, and takes nothing from a refused request', () => {
    const clock = clockAt('2026-03-02T09:00:00Z');
    const limiter = createRateLimiter({ clock, limits });
    const thread = 'T/C/2';
    for (const person of ['U1', 'U1', 'U1', 'U2', 'U2']) limiter.take('relay', { person, thread });
    expect(refusal(() => limiter.take('relay', { person: 'U3', thread }))).toMatchObject({ scope: 'thread' });
    // U3's own bucket was not charged for the refusal: in another thread U3 still has a full burst.
    for (let i = 0; i < 3; i += 1) limiter.take('relay', { person: 'U3', thread: 'T/C/3' });
    expect(refusal(() => limiter.take('relay', { person: 'U3', thread: 'T/C/3' }))).toMatchObject({ scope: 'person' });
  });

  it('keeps tickets and relays apart', () => {
    const limiter = createRateLimiter({ clock: clockAt('2026-03-02T09:00:00Z'), limits });
    const who = { person: 'U1', thread: 'T/C/4' };
    limiter.take('ticket', who);
    expect(refusal(() => limiter.take('ticket', who))).toMatchObject({ action: 'ticket', scope: 'thread' });
    limiter.take('relay', who);
  });
});
