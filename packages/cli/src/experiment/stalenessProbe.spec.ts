import { describe, expect, it } from '@jest/globals';
import { vclockResolver } from '@dynamis/conflict-vclock';
import { CoordinatorToken, createNode, DynamisError, type Consistency, type DynamisNode } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { quorumCoordinator } from '@dynamis/quorum';
import { ringPartitioner } from '@dynamis/ring';
import { FixedMembership, fixedMembership, runSimulation, simulatedEnvironment, type Simulation } from '@dynamis/testkit';
import { measureStaleness, type ProbeClient } from './stalenessProbe';

/**
 * Three real quorum coordinators (N=3, vector clocks) over the deterministic simulation
 * (virtual time, one-way delays of 2–6 ms); `probe(id, w, r)` is a probe
 * client whose requests `id` coordinates at those levels.
 */
async function simNodes(sim: Simulation) {
  const ids = sim.nodeIds();
  const members = ids.map((id) => ({ id, address: id, status: 'up' as const }));
  const nodes = new Map<string, DynamisNode>();
  for (const id of ids) {
    const plugins = [
      simulatedEnvironment(sim, id),
      memoryEngine(),
      // Vector clocks, not LWW: under LWW the quorum coordinator holds its own replica's write until a remote
      // replica accepted the version (LocalWriteGate, the clock-skew bound), so a W=1 write is acknowledged only
      // once two replicas hold it, and the t=0 staleness this test pins would depend on which replica reads.
      vclockResolver(),
      ringPartitioner({ partitions: 16 }),
      fixedMembership(new FixedMembership(id, members)),
      quorumCoordinator(),
    ];
    const node = await createNode({ nodeId: id, log: { level: 'silent' }, replication: { n: 3, sloppyQuorum: false } }, plugins);
    await node.start();
    nodes.set(id, node);
  }
  const probe = (id: string, w: Consistency, r: Consistency): ProbeClient => {
    const coordinator = nodes.get(id)!.resolve(CoordinatorToken);
    return {
      put: (key, value) => coordinator.put(key, value, { consistency: w }),
      get: async (key) => ({
        values: (await coordinator.get(key, { consistency: r })).siblings.flatMap((s) => (s.value === null ? [] : [s.value])),
      }),
    };
  };
  return { ids, probe, stop: () => Promise.all([...nodes.values()].map((n) => n.stop())) };
}

describe('measureStaleness over real quorum coordinators in the simulation', () => {
  it('W=1 R=1 reads stale right after the ack and never once propagation is over; R+W>N never reads stale', async () => {
    await runSimulation({ seed: 42, network: { minDelayMs: 2, maxDelayMs: 6 } }, async (sim) => {
      const c = await simNodes(sim);
      try {
        const spec = { samples: 40, delaysMs: [0, 20], concurrency: 4 };
        const progress: number[] = [];
        const weak = await sim.settle(
          measureStaleness(
            c.ids.map((id) => c.probe(id, 1, 1)),
            spec,
            sim.clock(c.ids[0]!),
            'weak/',
            (done, total) => progress.push(done / total),
          ),
        );
        // t=0: the reading coordinator answers from its own replica before the write's message (2–6 ms) reached it.
        expect(weak[0]).toMatchObject({ delayMs: 0, trials: 40, errors: 0 });
        expect(weak[0]!.stale).toBeGreaterThan(30);
        expect(weak[0]!.pStale).toBe(weak[0]!.stale / 40);
        // t=20 ms: longer than any one-way delay, so every replica holds the write.
        expect(weak[1]).toEqual({ delayMs: 20, trials: 40, stale: 0, pStale: 0, errors: 0, errorsByCode: {} });
        expect(progress).toHaveLength(80);
        expect(progress.at(-1)).toBe(1);

        const strict = await sim.settle(
          measureStaleness(
            c.ids.map((id) => c.probe(id, 2, 2)),
            spec,
            sim.clock(c.ids[0]!),
            'strict/',
          ),
        );
        expect(strict.map((p) => [p.delayMs, p.stale, p.trials])).toEqual([
          [0, 0, 40],
          [20, 0, 40],
        ]);
      } finally {
        await sim.settle(c.stop());
      }
    });
  });

  it('counts failed trials apart and needs two coordinators', async () => {
    const clock = { now: () => 0, monotonic: () => 0, setTimer: () => ({ cancel: () => {} }), sleep: () => Promise.resolve() };
    let n = 0;
    const flaky: ProbeClient = {
      // Trials 0, 4, 8 time out, 1, 5, 9 fail otherwise, the others are written (and read back as missing).
      put: () => {
        const i = n++;
        if (i % 4 === 0) return Promise.reject(new DynamisError('TIMEOUT', 'slow'));
        return i % 4 === 1 ? Promise.reject(new Error('odd')) : Promise.resolve();
      },
      get: () => Promise.resolve({ values: [] }),
    };
    const points = await measureStaleness([flaky, flaky], { samples: 10, delaysMs: [0], concurrency: 1 }, clock, 'k/');
    expect(points).toEqual([{ delayMs: 0, trials: 4, stale: 4, pStale: 1, errors: 6, errorsByCode: { TIMEOUT: 3, UNEXPECTED: 3 } }]);
    await expect(measureStaleness([flaky], { samples: 1, delaysMs: [0], concurrency: 1 }, clock, 'k/')).rejects.toThrow(RangeError);
    // The delays are interleaved (each sees the same mix of load); each trial writes through one client and reads through the next.
    const calls: string[] = [];
    const client = (name: string): ProbeClient => ({
      put: (key) => (calls.push(`${name} put ${key}`), Promise.resolve()),
      get: (key) => (calls.push(`${name} get ${key}`), Promise.resolve({ values: [new TextEncoder().encode(key)] })),
    });
    const fresh = await measureStaleness(
      [client('a'), client('b'), client('c')],
      { samples: 2, delaysMs: [0, 5], concurrency: 1 },
      clock,
      'p/',
    );
    expect(calls).toEqual([
      'a put p/0/0',
      'b get p/0/0',
      'b put p/5/1',
      'c get p/5/1',
      'c put p/0/2',
      'a get p/0/2',
      'a put p/5/3',
      'b get p/5/3',
    ]);
    expect(fresh.map((p) => [p.delayMs, p.trials, p.stale])).toEqual([
      [0, 2, 0],
      [5, 2, 0],
    ]);
  });
});
