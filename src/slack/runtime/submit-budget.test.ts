import { describe, expect, it } from 'vitest';
import { remainingBudgetMs, withinBudget } from './submit-budget.js';

describe('remainingBudgetMs', () => {
  it('takes the time since the request arrived off the budget', () => {
    expect(remainingBudgetMs(2000, 1000, 1600)).toBe(1400);
  });
  it('never goes below zero, and gives the whole budget when the arrival time is unknown', () => {
    expect(remainingBudgetMs(2000, 1000, 5000)).toBe(0);
    expect(remainingBudgetMs(2000, undefined, 5000)).toBe(2000);
  });
  it('ignores an arrival time in the future', () => {
    expect(remainingBudgetMs(2000, 1000, 900)).toBe(2000);
  });
});

describe('withinBudget', () => {
  it('returns the value of work that finishes in time', async () => {
    await expect(withinBudget(Promise.resolve(7), 1000)).resolves.toEqual({ state: 'done', value: 7 });
  });
  it('returns the error of work that fails in time', async () => {
    const error = new Error('no');
    await expect(withinBudget(Promise.reject(error), 1000)).resolves.toEqual({ state: 'failed', error });
  });
  it('hands back work still running when the budget is spent', async () => {
    let finish: (value: number) => void = () => undefined;
    const work = new Promise<number>((resolve) => {
      finish = resolve;
    });
    const outcome = await withinBudget(work, 0);
    expect(outcome.state).toBe('pending');
    finish(3);
    if (outcome.state === 'pending') await expect(outcome.later).resolves.toBe(3);
  });
});
