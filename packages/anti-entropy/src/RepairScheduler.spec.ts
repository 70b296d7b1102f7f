import { describe, expect, it } from '@jest/globals';
import type { Clock, Logger, NodeId, Partitioner, PartitionId, Placement, RepairStats } from '@dynamis/core';
import { RepairScheduler } from './RepairScheduler';

/** Preference lists looked up so far (each pairs build looks up every partition's). */
let lookups = 0;

/** A placement of two partitions with the given preference lists, as far as the scheduler reads one. */
function placement(hash: string, lists: NodeId[][]): Placement {
  return {
    hash,
    partitionCount: lists.length,
    partitions: lists.map((_, id) => ({ id })),
    preferenceList: (p: PartitionId, n: number) => (lookups++, lists[p]!.slice(0, n)),
  } as unknown as Placement;
}

describe('RepairScheduler', () => {
  it('takes its pairs from the current placement: built once per placement, again when the placement changes', async () => {
    let current = placement('a', [
      ['n1', 'n2'],
      ['n3', 'n1'],
    ]);
    const partitioner = { placement: () => current } as unknown as Partitioner;
    const timers: Array<() => void> = [];
    const clock = { setTimer: (_ms: number, fn: () => void) => (timers.push(fn), { cancel: () => undefined }) } as unknown as Clock;
    const exchanged: string[] = [];
    const stats: RepairStats = { keysSent: 0, keysReceived: 0 } as unknown as RepairStats;
    const scheduler = new RepairScheduler({
      self: 'n1',
      n: 2,
      intervalMs: 100,
      partitioner,
      membership: undefined,
      clock,
      random: { next: () => 0, int: () => 0 },
      log: { info: () => undefined, warn: () => undefined } as unknown as Logger,
      ready: () => true,
      exchange: async (peer, partition) => (exchanged.push(`${partition}:${peer}`), stats),
    });
    const tick = async (): Promise<void> => {
      timers.shift()!();
      await new Promise((r) => setImmediate(r));
    };
    scheduler.start();
    await tick();
    await tick();
    await tick();
    expect(exchanged).toEqual(['0:n2', '1:n3', '0:n2']);
    expect(lookups).toBe(2); // one build for three ticks
    current = placement('b', [
      ['n4', 'n1'],
      ['n2', 'n3'],
    ]);
    await tick();
    await tick();
    expect(exchanged.slice(3)).toEqual(['0:n4', '0:n4']); // the new placement's one pair, not the old ones
    expect(lookups).toBe(4);
    scheduler.stop();
  });
});
