import { describe, expect, it } from 'vitest';
import { createChannelPacer } from './channel-pacer.js';

/** A fake clock whose sleep advances time, so pacing is tested without waiting. */
function fakeTime() {
  let at = 0;
  return {
    now: () => at,
    sleep: async (ms: number) => {
      at += ms;
    },
  };
}

describe('channel pacer', () => {
  it('lets a burst of 3 through at once, then 1 per second, in order', async () => {
    const time = fakeTime();
    const pacer = createChannelPacer({ ...time, burst: 3, perSecond: 1 });
    const sentAt: Array<[number, number]> = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, index) => pacer.run('C1', async () => sentAt.push([index, time.now()]))),
    );
    expect(sentAt.map(([index]) => index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(sentAt.map(([, at]) => at)).toEqual([0, 0, 0, 1000, 2000, 3000, 4000, 5000]);
  });

  it('paces posts awaited one after another, not only concurrent ones', async () => {
    const time = fakeTime();
    const pacer = createChannelPacer({ ...time, burst: 2, perSecond: 1 });
    const sentAt: number[] = [];
    for (let index = 0; index < 5; index += 1) await pacer.run('C1', async () => sentAt.push(time.now()));
    expect(sentAt).toEqual([0, 0, 1000, 2000, 3000]);
  });

  it('paces channels independently and refills while idle', async () => {
    const time = fakeTime();
    const pacer = createChannelPacer({ ...time, burst: 1, perSecond: 1 });
    const sentAt: string[] = [];
    await Promise.all([
      pacer.run('C1', async () => sentAt.push(`C1@${time.now()}`)),
      pacer.run('C2', async () => sentAt.push(`C2@${time.now()}`)),
    ]);
    await time.sleep(5_000);
    await pacer.run('C1', async () => sentAt.push(`C1@${time.now()}`));
    expect(sentAt).toEqual(['C1@0', 'C2@0', 'C1@5000']);
  });

  it('keeps going after a failed post and reports the failure to its caller', async () => {
    const pacer = createChannelPacer({ ...fakeTime(), burst: 5 });
    await expect(pacer.run('C1', async () => Promise.reject(new Error('ratelimited')))).rejects.toThrow('ratelimited');
    await expect(pacer.run('C1', async () => 'sent')).resolves.toBe('sent');
  });
});
