import { describe, expect, it } from '@jest/globals';
import type { Clock, HintStore, Member, Membership, Partitioner, Placement } from '@dynamis/core';
import { Dashboard, HISTORY_POINTS } from './Dashboard';
import { readPanels, ringOf } from './dashboardView';
import { OpMeter } from './OpMeter';

function manualClock(): Clock & { advance(ms: number): void } {
  let t = 1_000_000;
  return {
    now: () => t,
    monotonic: () => t,
    setTimer: () => ({ cancel: () => undefined }),
    sleep: () => Promise.resolve(),
    advance: (ms: number) => void (t += ms),
  };
}

/** 4 partitions over n1..n3: partition p's preference list starts at node p mod 3. */
function placement(hash: string): Placement {
  const nodes = ['n1', 'n2', 'n3'];
  return {
    hash,
    partitionCount: 4,
    nodes,
    partitions: [0, 1, 2, 3].map((id) => ({ id, start: 0n, end: 0n })),
    preferenceList: (p: string | number, n: number) => [0, 1, 2].map((i) => nodes[((p as number) + i) % 3]!).slice(0, n),
  } as unknown as Placement;
}

/** A gossip-like Membership: members() plus entry(id) with a status and an incarnation. */
function membership(members: Member[], entries: Record<string, { status: string; incarnation: number }>): Membership {
  return { members: () => members, entry: (id: string) => entries[id] } as unknown as Membership;
}

describe('dashboard panels', () => {
  it('refines up into suspect from the gossip entry, sorts members, keeps incarnations', () => {
    const m = membership(
      [
        { id: 'n3', address: 'h:3', status: 'down' },
        { id: 'n1', address: 'h:1', status: 'up' },
        { id: 'n2', address: 'h:2', status: 'up' },
      ],
      { n1: { status: 'alive', incarnation: 5 }, n2: { status: 'suspect', incarnation: 7 }, n3: { status: 'dead', incarnation: 9 } },
    );
    expect(readPanels({ nodeId: 'n1', replicas: 2, membership: m }, undefined).members).toEqual([
      { id: 'n1', address: 'h:1', state: 'up', incarnation: 5 },
      { id: 'n2', address: 'h:2', state: 'suspect', incarnation: 7 },
      { id: 'n3', address: 'h:3', state: 'down', incarnation: 9 },
    ]);
    expect(readPanels({ nodeId: 'solo', replicas: 1 }, undefined).members).toEqual([{ id: 'solo', address: '', state: 'up' }]);
  });

  it('draws the ring: owners and the partitions this node replicates; rebuilt only when the placement hash changes', () => {
    expect(ringOf(placement('h1'), 2, 'n1')).toEqual({
      hash: 'h1',
      partitions: 4,
      nodes: ['n1', 'n2', 'n3'],
      owners: [0, 1, 2, 0],
      mine: [1, 0, 1, 1],
    });
    let current = placement('h1');
    const partitioner = { placement: () => current } as unknown as Partitioner;
    const first = readPanels({ nodeId: 'n1', replicas: 2, partitioner }, undefined).ring;
    expect(readPanels({ nodeId: 'n1', replicas: 2, partitioner }, first).ring).toBe(first);
    current = placement('h2');
    expect(readPanels({ nodeId: 'n1', replicas: 2, partitioner }, first).ring).toMatchObject({ hash: 'h2' });
  });

  it('sums pending hints, maps anti-entropy stats, and leaves out a panel whose port throws', () => {
    const hints = { stats: () => ({ pending: { n3: 4, n2: 1 }, delivered: 7, dropped: 1 }) } as unknown as HintStore;
    const antiEntropy = { stats: () => ({ exchanges: 3, failedExchanges: 1, keysSent: 2, keysReceived: 5, bytesTransferred: 900 }) };
    const panels = readPanels({ nodeId: 'n1', replicas: 2, hints, antiEntropy }, undefined);
    expect(panels.hints).toEqual({ pending: { n3: 4, n2: 1 }, total: 5, delivered: 7, dropped: 1 });
    expect(panels.antiEntropy).toEqual({ rounds: 3, failedRounds: 1, keysRepaired: 7, bytes: 900 });
    const closed = {
      stats: () => {
        throw new Error('NOT_OPEN');
      },
    } as unknown as HintStore;
    expect(readPanels({ nodeId: 'n1', replicas: 2, hints: closed }, undefined)).toEqual({
      members: [{ id: 'n1', address: '', state: 'up' }],
    });
  });
});

describe('Dashboard', () => {
  it('ages each member in its state, restarting the age when the state changes', () => {
    const clock = manualClock();
    const members: Member[] = [{ id: 'n2', address: 'h:2', status: 'up' }];
    const d = new Dashboard({ nodeId: 'n1', replicas: 2, membership: membership(members, {}) }, new OpMeter(), clock);
    expect(d.latest()).toBeUndefined();
    expect(d.tick().members[0]).toMatchObject({ state: 'up', stateAgeSec: 0 });
    clock.advance(3000);
    expect(d.tick().members[0]).toMatchObject({ state: 'up', stateAgeSec: 3 });
    members[0] = { id: 'n2', address: 'h:2', status: 'down' };
    clock.advance(1000);
    expect(d.tick().members[0]).toMatchObject({ state: 'down', stateAgeSec: 0 });
    clock.advance(2000);
    const s = d.tick();
    expect(s.members[0]).toMatchObject({ state: 'down', stateAgeSec: 2 });
    expect(s.seq).toBe(4);
    expect(d.latest()).toBe(s);
  });

  it("turns the meter's windows into ops/s and a history bounded at HISTORY_POINTS", () => {
    const clock = manualClock();
    const meter = new OpMeter();
    const d = new Dashboard({ nodeId: 'n1', replicas: 1 }, meter, clock);
    for (let i = 0; i < HISTORY_POINTS + 5; i++) {
      for (let k = 0; k <= i % 3; k++) meter.record('put', 1, true);
      clock.advance(500);
      d.tick();
    }
    const s = d.latest()!;
    expect(s.history).toHaveLength(HISTORY_POINTS);
    // The last window: (HISTORY_POINTS + 4) % 3 + 1 ops in 0.5 s.
    expect(s.ops.totalPerSec).toBe((((HISTORY_POINTS + 4) % 3) + 1) * 2);
    expect(s.history[HISTORY_POINTS - 1]!.opsPerSec).toBe(s.ops.totalPerSec);
    expect(s.history[0]!.at).toBe(s.at - (HISTORY_POINTS - 1) * 500);
  });
});
