import { describe, expect, it } from 'vitest';
import { createLiveReplies } from './live-replies.js';

const thread = { teamId: 'T1', channelId: 'C1', threadTs: '1.000001' };
const other = { ...thread, threadTs: '2.000002' };

describe('createLiveReplies', () => {
  it('shows the turns of one thread one after another, and other threads beside them', async () => {
    const live = createLiveReplies({ instanceId: 'i' });
    const order: string[] = [];
    let release: () => void = () => undefined;
    const first = live.inTurn(thread, async () => {
      order.push('first starts');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      order.push('first ends');
    });
    const second = live.inTurn(thread, async () => {
      order.push('second');
    });
    await live.inTurn(other, async () => {
      order.push('other thread');
    });
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'other thread', 'first ends', 'second']);
  });

  it('goes on with the next turn when one fails', async () => {
    const live = createLiveReplies({ instanceId: 'i' });
    const shown: string[] = [];
    const failing = live.inTurn(thread, async () => {
      throw new Error('Slack is down');
    });
    await live.inTurn(thread, async () => {
      shown.push('next');
    });
    await expect(failing).resolves.toBeUndefined();
    expect(shown).toEqual(['next']);
  });

  it('remembers a refusal for its conversation or its workspace, for a while', () => {
    let at = 0;
    const live = createLiveReplies({ instanceId: 'i', refusalMemoryMs: 1000 }, { now: () => at });
    live.refuse(thread, 'conversation');
    expect(live.refused(other)).toBe(true);
    expect(live.refused({ ...thread, channelId: 'C2' })).toBe(false);
    live.refuse({ ...thread, channelId: 'C3' }, 'workspace');
    expect(live.refused({ ...thread, channelId: 'C2' })).toBe(true);
    expect(live.refused({ ...thread, teamId: 'T2' })).toBe(false);
    at = 1000;
    expect(live.refused(thread)).toBe(false);
    expect(live.refused({ ...thread, channelId: 'C2' })).toBe(false);
  });
});
