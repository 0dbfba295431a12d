import { describe, expect, it } from 'vitest';
import { correlationIdFrom, currentCorrelationId, newCorrelationId, runWithCorrelation } from './correlation.js';

describe('correlation ids', () => {
  it('are absent outside a request and present in everything the request awaits', async () => {
    expect(currentCorrelationId()).toBeUndefined();
    const seen = await runWithCorrelation('Ev0123ABCD', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const inTimer = await new Promise<string | undefined>((resolve) =>
        setImmediate(() => resolve(currentCorrelationId())),
      );
      return [currentCorrelationId(), inTimer];
    });
    expect(seen).toEqual(['Ev0123ABCD', 'Ev0123ABCD']);
    expect(currentCorrelationId()).toBeUndefined();
  });

  it('keeps concurrent requests apart', async () => {
    const one = runWithCorrelation('one', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return currentCorrelationId();
    });
    const two = runWithCorrelation('two', async () => currentCorrelationId());
    expect(await Promise.all([one, two])).toEqual(['one', 'two']);
  });

  it('accept a Slack event_id as is and replace anything unsafe for a header with a fresh id', () => {
    expect(correlationIdFrom('Ev08ABCDEF12')).toBe('Ev08ABCDEF12');
    for (const bad of [undefined, 42, '', 'has space', 'line\nbreak', 'x'.repeat(65)]) {
      expect(correlationIdFrom(bad)).toMatch(/^[0-9a-f]{12}$/);
    }
    expect(newCorrelationId()).not.toBe(newCorrelationId());
  });
});
