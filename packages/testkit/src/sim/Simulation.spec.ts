import { describe, expect, it } from '@jest/globals';
import { DynamisError, type NodeId } from '@dynamis/core';
import { runSimulation } from './runSimulation';
import { seedFromEnv } from './seedFromEnv';
import { Simulation } from './Simulation';

const NODES: NodeId[] = ['n1', 'n2', 'n3', 'n4', 'n5'];

/**
 * Five nodes, each sending 60 requests (and some one-way notes) to random
 * peers at random times over a lossy, duplicating, reordering network, with
 * a partition and a crash on the way. Handlers sleep and sometimes fail.
 */
async function scenario(seed: number) {
  const sim = new Simulation({
    seed,
    nodes: NODES,
    network: { minDelayMs: 1, maxDelayMs: 20, dropProbability: 0.05, duplicateProbability: 0.05, reorderProbability: 0.1 },
  });
  for (const id of NODES) {
    const clock = sim.clock(id);
    const random = sim.random(id);
    sim.transport(id).setHandler(async (_from, msg) => {
      await clock.sleep(random.int(15));
      if (msg.type === 'note') return;
      if (random.chance(0.05)) throw new DynamisError('CONFLICT', `busy at ${id}`);
      return { type: 'ack', payload: { by: id, n: (msg.payload as { n: number }).n } };
    });
    await sim.transport(id).start();
  }
  const outcomes: string[] = [];
  let finished = 0;
  const client = async (id: NodeId) => {
    const random = sim.random(id);
    for (let i = 0; i < 60; i++) {
      await sim.clock(id).sleep(random.int(30));
      const peers = NODES.filter((n) => n !== id);
      const to = peers[random.int(peers.length)] as NodeId;
      if (random.chance(0.2)) sim.transport(id).send(to, { type: 'note', payload: { n: i } });
      try {
        await sim.transport(id).request(to, { type: 'op', payload: { n: i } }, { timeoutMs: 100 });
        outcomes.push(`${sim.now()} ${id}>${to}#${i} ok`);
      } catch (err) {
        outcomes.push(`${sim.now()} ${id}>${to}#${i} ${(err as DynamisError).code}`);
      }
    }
    finished++;
  };
  NODES.forEach((id) => void client(id));
  sim.scheduler.schedule(400, () =>
    sim.network.partition([
      ['n1', 'n2'],
      ['n3', 'n4', 'n5'],
    ]),
  );
  sim.scheduler.schedule(800, () => sim.network.heal());
  sim.scheduler.schedule(1000, () => sim.network.crash('n3'));
  sim.scheduler.schedule(1300, () => sim.network.restart('n3'));
  await sim.runUntil(() => finished === NODES.length, 120_000);
  return { digest: sim.traceDigest(), outcomes, trace: sim.trace };
}

describe('Simulation', () => {
  it('replays a faulty multi-node run exactly from its seed, and another seed gives another run', async () => {
    const first = await scenario(1234);
    const again = await scenario(1234);
    const other = await scenario(1235);
    expect(first.outcomes).toHaveLength(300);
    expect(again.digest).toBe(first.digest);
    expect(again.outcomes).toEqual(first.outcomes);
    expect(other.digest).not.toBe(first.digest);
    expect(other.outcomes).not.toEqual(first.outcomes);
    const events = new Set(first.trace.map((r) => r.ev));
    expect([...events].sort()).toEqual(['deliver', 'drop', 'dup', 'reply', 'send', 'timeout']);
    const results = new Set(first.outcomes.map((o) => o.split(' ').pop()));
    expect([...results].sort()).toEqual(['CONFLICT', 'TIMEOUT', 'UNAVAILABLE', 'ok']);
  });

  it("does not shift a node's randomness when nodes are added", () => {
    const small = new Simulation({ seed: 9, nodes: ['n1', 'n2'] });
    const big = new Simulation({ seed: 9, nodes: ['n0', 'n1', 'n2', 'n3'] });
    big.addNode('n4');
    const draw = (s: Simulation, id: NodeId) => Array.from({ length: 10 }, () => s.random(id).next());
    expect(draw(big, 'n1')).toEqual(draw(small, 'n1'));
    expect(draw(big, 'n2')).toEqual(draw(small, 'n2'));
    expect(draw(big, 'n1')).not.toEqual(draw(big, 'n2'));
  });

  it('gives each node its own skewed clock on shared virtual time', async () => {
    const sim = new Simulation({ seed: 1, nodes: ['a', 'b'], skewMs: { b: 1500 }, epochMs: 0 });
    await sim.runFor(10);
    expect(sim.clock('a').now()).toBe(10);
    expect(sim.clock('b').now()).toBe(1510);
    expect(sim.clock('b').monotonic()).toBe(10);
    expect(() => sim.clock('zz')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => sim.addNode('a')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('runUntil stops when the predicate holds, or rejects TIMEOUT', async () => {
    const sim = new Simulation({ seed: 1 });
    let fired = false;
    sim.clock('n1').setTimer(70, () => (fired = true));
    await sim.runUntil(() => fired, 100);
    expect(sim.now()).toBe(70);
    await expect(sim.runUntil(() => false, 50)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(sim.now()).toBe(120);
  });

  it('runSimulation returns the body result, or names the seed to replay a failure', async () => {
    await expect(runSimulation(3, async (sim) => sim.nodeIds())).resolves.toEqual(['n1', 'n2', 'n3']);
    const failure = runSimulation({ seed: 77, nodes: ['x'] }, async (sim) => {
      await sim.runFor(25);
      throw new Error('replicas diverged');
    });
    await expect(failure).rejects.toThrow(/^Simulation failed with seed 77; replay: DYNAMIS_SEED=77/);
    const err = await failure.catch((e: unknown) => e as Error);
    expect(err.message).toContain('replicas diverged');
    expect(err.message).toContain('virtual time 25 ms');
    expect((err.cause as Error).message).toBe('replicas diverged');
  });

  it('seedFromEnv prefers DYNAMIS_SEED and rejects garbage', () => {
    expect(seedFromEnv(5, {})).toBe(5);
    expect(seedFromEnv(5, { DYNAMIS_SEED: '123' })).toBe(123);
    expect(seedFromEnv(5, { DYNAMIS_SEED: ' -4 ' })).toBe(-4);
    expect(() => seedFromEnv(5, { DYNAMIS_SEED: 'abc' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => seedFromEnv(5, { DYNAMIS_SEED: '1.5' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('Simulation.settle', () => {
  const after = <T>(sim: Simulation, ms: number, f: () => T): Promise<T> =>
    new Promise((resolve, reject) =>
      sim.clock('n1').setTimer(ms, () => {
        try {
          resolve(f());
        } catch (err) {
          reject(err as Error);
        }
      }),
    );

  it('runs virtual time until the promise resolves, and returns its value', async () => {
    const sim = new Simulation({ seed: 1, nodes: ['n1'] });
    await expect(sim.settle(after(sim, 5000, () => 42))).resolves.toBe(42);
    expect(sim.now()).toBeGreaterThanOrEqual(5000);
  });

  it('rejects like the promise', async () => {
    const sim = new Simulation({ seed: 1, nodes: ['n1'] });
    const boom = after(sim, 10, () => {
      throw new DynamisError('CONFLICT', 'boom');
    });
    await expect(sim.settle(boom)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('rejects TIMEOUT when the promise has not settled within maxMs of virtual time', async () => {
    const sim = new Simulation({ seed: 1, nodes: ['n1'] });
    await expect(sim.settle(new Promise(() => {}), 1000)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
