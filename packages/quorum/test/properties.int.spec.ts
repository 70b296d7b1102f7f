import { afterEach, describe, expect, it } from '@jest/globals';
import { DynamisError, type NodeId } from '@dynamis/core';
import { runSimulation, type Simulation } from '@dynamis/testkit';
import { bytes, seeds, simCluster, text, type SimCluster } from './simCluster';

let cluster: SimCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const pick = <T>(sim: Simulation, from: readonly T[]): T => from[Math.floor(sim.random('n1').next() * from.length)]!;

/** Per key, every write in issue order and whether it was acknowledged. */
class History {
  private readonly writes = new Map<string, { value: string; acked: boolean }[]>();
  record(key: string, value: string, acked: boolean): void {
    const list = this.writes.get(key) ?? [];
    list.push({ value, acked });
    this.writes.set(key, list);
  }
  keys(): string[] {
    return [...this.writes.keys()];
  }
  /** The last acknowledged value of `key`, if any. */
  lastAcked(key: string): string | undefined {
    return [...(this.writes.get(key) ?? [])].reverse().find((w) => w.acked)?.value;
  }
  /**
   * A read of `key` is fresh when it returns the last acknowledged write or a
   * write issued after it (an unacknowledged write may have reached a replica).
   */
  fresh(key: string, read: string | undefined): boolean {
    const list = this.writes.get(key) ?? [];
    const last = list.map((w) => w.acked).lastIndexOf(true);
    if (last < 0) return true;
    return read !== undefined && list.slice(last).some((w) => w.value === read);
  }
}

describe('quorum properties over many seeds (DYNAMIS_SEED replays one)', () => {
  it.each(seeds(6, 100))(
    'N=3 W=2 R=2 with one node crashed: every acknowledged write is read back, before and after it restarts (seed %i)',
    async (seed) => {
      await runSimulation(seed, async (sim) => {
        const c = (cluster = await simCluster(sim));
        const crashed = pick(sim, c.ids);
        const live = c.ids.filter((id) => id !== crashed);
        sim.network.crash(crashed);
        const history = new History();
        for (let i = 0; i < 20; i++) {
          const key = `k${Math.floor(sim.random('n1').next() * 6)}`;
          const value = `v${i}`;
          const acked = await c
            .run(c.coordinator(pick(sim, live)).put(key, bytes(value), { consistency: 2, timeoutMs: 1000 }))
            .then(() => true);
          history.record(key, value, acked);
          await sim.runFor(5);
        }
        const readAll = async (from: readonly NodeId[]) => {
          for (const key of history.keys()) {
            const read = await c.run(c.coordinator(pick(sim, from)).get(key, { consistency: 2, timeoutMs: 1000 }));
            expect(read.siblings.map(text)).toEqual([history.lastAcked(key)]);
          }
        };
        await readAll(live);
        sim.network.restart(crashed);
        await readAll(c.ids);
        // the restarted node as coordinator, asking all three
        for (const key of history.keys()) {
          const read = await c.run(c.coordinator(crashed).get(key, { consistency: 'all', timeoutMs: 1000 }));
          expect(read.siblings.map(text)).toEqual([history.lastAcked(key)]);
        }
        // and those reads repaired it: the restarted node now holds every acknowledged write itself
        await sim.runFor(1000);
        for (const key of history.keys()) expect((await c.stored(crashed, key)).map(text)).toEqual([history.lastAcked(key)]);
      });
    },
  );

  it('W=1 R=1 across a partition: a stale read is observed; R=2 from the minority side refuses rather than answer stale', async () => {
    await runSimulation(200, async (sim) => {
      const c = (cluster = await simCluster(sim));
      await c.run(c.coordinator('n1').put('k', bytes('old'), { consistency: 'all' }));
      sim.network.partition([['n1'], ['n2', 'n3']]);
      await c.run(c.coordinator('n2').put('k', bytes('new'), { consistency: 'one', timeoutMs: 1000 }));
      const stale = await c.run(c.coordinator('n1').get('k', { consistency: 'one', timeoutMs: 1000 }));
      expect(stale.siblings.map(text)).toEqual(['old']);
      await expect(c.run(c.coordinator('n1').get('k', { consistency: 2, timeoutMs: 1000 }))).rejects.toMatchObject({
        code: 'QUORUM_NOT_REACHED',
      });
    });
  });

  it.each(seeds(6, 300))('W=2 R=2 under changing partitions never returns a stale read (seed %i)', async (seed) => {
    await runSimulation(seed, async (sim) => {
      const c = (cluster = await simCluster(sim));
      const history = new History();
      let reads = 0;
      for (let i = 0; i < 40; i++) {
        if (i % 8 === 0) {
          const alone = pick(sim, [...c.ids, 'none']);
          if (alone === 'none') sim.network.heal();
          else sim.network.partition([[alone], c.ids.filter((id) => id !== alone)]);
        }
        const key = `k${Math.floor(sim.random('n1').next() * 4)}`;
        const from = pick(sim, c.ids);
        if (sim.random('n1').next() < 0.5) {
          const value = `v${i}`;
          const acked = await c.run(c.coordinator(from).put(key, bytes(value), { consistency: 2, timeoutMs: 1000 })).then(
            () => true,
            (err: unknown) => {
              if (!(err instanceof DynamisError) || err.code !== 'QUORUM_NOT_REACHED') throw err;
              return false;
            },
          );
          history.record(key, value, acked);
        } else {
          const read = await c.run(c.coordinator(from).get(key, { consistency: 2, timeoutMs: 1000 })).catch((err: unknown) => {
            if (!(err instanceof DynamisError) || err.code !== 'QUORUM_NOT_REACHED') throw err;
            return undefined;
          });
          if (read !== undefined) {
            reads++;
            expect(read.siblings.length).toBeLessThanOrEqual(1);
            const value = read.siblings[0] === undefined ? undefined : (text(read.siblings[0]) ?? undefined);
            if (!history.fresh(key, value)) throw new Error(`stale read of ${key}: ${String(value)}, last acked ${history.lastAcked(key)}`);
          }
        }
        await sim.runFor(5);
      }
      expect(reads).toBeGreaterThan(0);
    });
  });

  it.each(seeds(4, 400))(
    'vclock: concurrent writes on both sides of a partition are kept as siblings; the merged write resolves them (seed %i)',
    async (seed) => {
      await runSimulation(seed, async (sim) => {
        const c = (cluster = await simCluster(sim, { resolver: 'vclock' }));
        const first = await c.run(c.coordinator('n1').put('k', bytes('base'), { consistency: 'all' }));
        sim.network.partition([['n1'], ['n2', 'n3']]);
        await c.run(c.coordinator('n1').put('k', bytes('left'), { consistency: 'one', context: first.context, timeoutMs: 1000 }));
        await c.run(c.coordinator('n3').put('k', bytes('right'), { consistency: 2, context: first.context, timeoutMs: 1000 }));
        sim.network.heal();
        const both = await c.run(c.coordinator(pick(sim, c.ids)).get('k', { consistency: 'all' }));
        expect(both.siblings.map(text).sort()).toEqual(['left', 'right']);
        await c.run(c.coordinator(pick(sim, c.ids)).put('k', bytes('merged'), { consistency: 2, context: both.context }));
        const after = await c.run(c.coordinator(pick(sim, c.ids)).get('k', { consistency: 2 }));
        expect(after.siblings.map(text)).toEqual(['merged']);
      });
    },
  );

  // readFanout 'all' in this test and the next: they are about one read repairing every replica (a read asking R replicas repairs only those).
  it.each(seeds(4, 500))('LWW: after heal and one quorum read, the highest timestamp wins on every replica (seed %i)', async (seed) => {
    // n1's clock runs 5 s ahead: its write is older in virtual time but carries the highest timestamp.
    await runSimulation({ seed, nodes: ['n1', 'n2', 'n3'], skewMs: { n1: 5000 } }, async (sim) => {
      const c = (cluster = await simCluster(sim, { readFanout: 'all' }));
      sim.network.partition([['n1'], ['n2', 'n3']]);
      await c.run(c.coordinator('n1').put('k', bytes('ahead'), { consistency: 'one', timeoutMs: 1000 }));
      await sim.runFor(100);
      await c.run(c.coordinator('n2').put('k', bytes('behind'), { consistency: 2, timeoutMs: 1000 }));
      sim.network.heal();
      const read = await c.run(c.coordinator(pick(sim, c.ids)).get('k', { consistency: 2 }));
      const answered = read.siblings.map(text);
      await sim.runFor(2000);
      for (const id of c.ids) expect((await c.stored(id, 'k')).map(text)).toEqual(['ahead']);
      // the read answered after R replies: with n1 among them it already saw the winner
      expect(['ahead', 'behind']).toContain(answered[0]);
    });
  });

  it.each(seeds(4, 600))('read repair makes all N replicas equal, and is counted (seed %i)', async (seed) => {
    await runSimulation(seed, async (sim) => {
      const c = (cluster = await simCluster(sim, { readFanout: 'all' }));
      const stale = pick(sim, c.ids);
      sim.network.isolate(stale);
      const writer = c.ids.find((id) => id !== stale)!;
      for (const key of ['a', 'b', 'c'])
        await c.run(c.coordinator(writer).put(key, bytes(`v-${key}`), { consistency: 2, timeoutMs: 1000 }));
      sim.network.heal();
      for (const key of ['a', 'b', 'c']) expect(await c.stored(stale, key)).toEqual([]);
      const reader = pick(sim, c.ids);
      for (const key of ['a', 'b', 'c']) {
        const read = await c.run(c.coordinator(reader).get(key, { consistency: 2 }));
        expect(read.siblings.map(text)).toEqual([`v-${key}`]);
      }
      await sim.runUntil(() => c.coordinator(reader).stats().readRepairs >= 3, 60_000);
      for (const key of ['a', 'b', 'c']) {
        const records = await Promise.all(c.ids.map((id) => c.stored(id, key)));
        for (const r of records) expect(r).toEqual(records[0]);
        expect(records[0]!.map(text)).toEqual([`v-${key}`]);
      }
      expect(c.coordinator(reader).stats().readRepairs).toBe(3);
    });
  });
});

describe('writes replicate the merged record', () => {
  it.each(seeds(3, 700))(
    'vclock: a replica that missed an earlier concurrent write receives it with the next write (seed %i)',
    async (seed) => {
      await runSimulation(seed, async (sim) => {
        const c = (cluster = await simCluster(sim, { resolver: 'vclock' }));
        sim.network.isolate('n3');
        await c.run(c.coordinator('n1').put('k', bytes('a'), { consistency: 2, timeoutMs: 1000 }));
        sim.network.heal();
        // no context: concurrent with 'a', so the coordinator's record becomes {a, b}
        await c.run(c.coordinator('n1').put('k', bytes('b'), { consistency: 'all' }));
        for (const id of c.ids) expect((await c.stored(id, 'k')).map(text).sort()).toEqual(['a', 'b']);
      });
    },
  );
});

describe('one coordinator, concurrent writes', () => {
  it.each(seeds(3, 800))(
    'vclock: two concurrent writes without context through one coordinator are both kept (distinct dots) (seed %i)',
    async (seed) => {
      await runSimulation(seed, async (sim) => {
        const c = (cluster = await simCluster(sim, { resolver: 'vclock' }));
        await c.run(Promise.all([c.coordinator('n1').put('k', bytes('x'), {}), c.coordinator('n1').put('k', bytes('y'), {})]));
        const read = await c.run(c.coordinator('n2').get('k', { consistency: 'all' }));
        expect(read.siblings.map(text).sort()).toEqual(['x', 'y']);
      });
    },
  );
});
