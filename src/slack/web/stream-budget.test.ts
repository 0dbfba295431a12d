import { describe, expect, it } from 'vitest';
import { createStreamBudget } from './stream-budget.js';

function clock() {
  let at = 1_000_000;
  return {
    now: () => at,
    sleep: async (ms: number) => {
      at += ms;
    },
    advance: (ms: number) => {
      at += ms;
    },
  };
}

describe('createStreamBudget', () => {
  it('lets a minute’s calls through at once, then waits for the oldest to leave the minute', async () => {
    const time = clock();
    const budget = createStreamBudget({ limits: { 'chat.startStream': 3 }, ...time });
    const started = time.now();
    for (let call = 0; call < 3; call += 1) expect(await budget.take('chat.startStream', 0)).toBe(true);
    expect(time.now()).toBe(started);
    expect(await budget.take('chat.startStream', 1000)).toBe(false);
    expect(await budget.take('chat.startStream', 61_000)).toBe(true);
    expect(time.now() - started).toBeGreaterThanOrEqual(60_000);
  });

  it('never lets more than the limit through in any minute', async () => {
    const time = clock();
    const budget = createStreamBudget({ limits: { 'chat.appendStream': 10 }, ...time });
    const taken: number[] = [];
    for (let call = 0; call < 45; call += 1) {
      time.advance(call % 3 === 0 ? 900 : 10);
      if (await budget.take('chat.appendStream', 120_000)) taken.push(time.now());
    }
    expect(taken).toHaveLength(45);
    for (const [index, at] of taken.entries()) {
      expect(taken.filter((other) => other > at - 60_000 && other <= at).length, `call ${index}`).toBeLessThanOrEqual(
        10,
      );
    }
  });

  it('counts each method on its own', async () => {
    const time = clock();
    const budget = createStreamBudget({ limits: { 'chat.startStream': 1, 'chat.stopStream': 1 }, ...time });
    expect(await budget.take('chat.startStream', 0)).toBe(true);
    expect(await budget.take('chat.stopStream', 0)).toBe(true);
    expect(await budget.take('chat.startStream', 0)).toBe(false);
  });

  it('spreads the append budget over the streams that are live', () => {
    const budget = createStreamBudget({ minAppendIntervalMs: 400 });
    expect(budget.appendIntervalMs()).toBe(600);
    const closers = Array.from({ length: 20 }, () => budget.open());
    expect(budget.live()).toBe(20);
    expect(budget.appendIntervalMs()).toBe(12_000);
    for (const close of closers) {
      close();
      close();
    }
    expect(budget.live()).toBe(0);
  });
});
