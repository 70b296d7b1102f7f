import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@dynamis/core';
import type { EngineHintStore } from '../src';
import { memoryHarness } from './harness';

const bounds = { maxHintsPerTarget: 10, maxBytesPerTarget: 1 << 20, windowMs: 60_000 };

describe('EngineHintStore beyond the port contract', () => {
  it('refuses a hint for one target more than maxTargets, with the bound named; a known target still takes hints', async () => {
    const h = memoryHarness({ maxTargets: 2 });
    const clock = new ManualClock();
    const { store, close } = await h.open(bounds, clock);
    const s = store as EngineHintStore;
    try {
      await s.add('n2', 'a', [h.sibling('a', clock)]);
      await s.add('n3', 'b', [h.sibling('b', clock)]);
      await expect(s.add('n4', 'c', [h.sibling('c', clock)])).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        details: { target: 'n4', dropped: 'targets', overloaded: true, applied: false },
      });
      await s.add('n2', 'd', [h.sibling('d', clock)]);
      expect(s.stats()).toMatchObject({
        pending: { n2: 2, n3: 1 },
        dropped: 1,
        droppedBy: { targets: 1, count: 0, bytes: 0, age: 0, refused: 0 },
      });
      expect(s.pendingTargets().sort()).toEqual(['n2', 'n3']);
      // a target whose hints are all acknowledged frees its slot
      await s.acknowledge(
        'n3',
        (await s.pending('n3', 10)).map((x) => x.id),
      );
      await s.add('n4', 'c', [h.sibling('c', clock)]);
      expect(s.pendingTargets().sort()).toEqual(['n2', 'n4']);
    } finally {
      await close();
    }
  });

  it('counts pending bytes per target (engine key + value), the same after a reopen', async () => {
    const h = memoryHarness();
    const clock = new ManualClock();
    let opened = await h.open(bounds, clock);
    await opened.store.add('n2', 'k', [h.sibling('x'.repeat(1000), clock)]);
    const bytes = (opened.store as EngineHintStore).stats().pendingBytes['n2']!;
    expect(bytes).toBeGreaterThan(1000);
    expect(bytes).toBeLessThan(1100);
    await opened.close();
    opened = await h.open(bounds, clock);
    expect((opened.store as EngineHintStore).stats().pendingBytes).toEqual({ n2: bytes });
    await opened.close();
  });
});
