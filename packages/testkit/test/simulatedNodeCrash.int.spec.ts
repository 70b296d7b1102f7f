import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  ClockToken,
  ConflictResolverToken,
  createNode,
  NodeFileSystem,
  ReplicaClientToken,
  ReplicaToken,
  StorageEngineToken,
  type DynamisNode,
  type NodeId,
} from '@dynamis/core';
import { lsmEngine } from '@dynamis/engine-lsm';
import { FaultyFileSystem, type CrashOptions } from '../src/fs';
import { runSimulation, seedFromEnv, simulatedEnvironment, type Simulation } from '../src';

// engine-lsm on each node's simulated disk: 3 nodes, load from n1 and n2 to every replica, n3 loses power at a
// seeded moment, comes back as a new node over what its disk kept. Nothing may touch the real disk.

const IDS: NodeId[] = ['n1', 'n2', 'n3'];
const VICTIM: NodeId = 'n3';
const WRITES_PER_WRITER = 60;
const SEEDS = process.env['DYNAMIS_SEED'] === undefined ? Array.from({ length: 8 }, (_, i) => i + 1) : [seedFromEnv(0)];

// A real directory as dataDir: if anything used the real file system, files would appear in it.
const realDir = mkdtempSync(join(tmpdir(), 'dynamis-simnode-'));
afterAll(() => rmSync(realDir, { recursive: true, force: true }));

// Spy on the real file system: any NodeFileSystem call during a simulation is a failure.
const realCalls: string[] = [];
for (const name of Object.getOwnPropertyNames(NodeFileSystem.prototype)) {
  if (name === 'constructor') continue;
  const proto = NodeFileSystem.prototype as unknown as Record<string, unknown>;
  const original = proto[name];
  if (typeof original !== 'function') continue;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    realCalls.push(`${name}(${String(args[0])})`);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
}

type Fsync = 'always' | 'interval' | 'none';
const FSYNC_INTERVAL_MS = 10;

async function compose(sim: Simulation, id: NodeId, fsync: Fsync): Promise<DynamisNode> {
  const node = await createNode({ nodeId: id, dataDir: realDir }, [
    simulatedEnvironment(sim, id),
    // Small memtables so the load also flushes and compacts on the simulated disk.
    lsmEngine({ fsync, fsyncIntervalMs: FSYNC_INTERVAL_MS, memtableBytes: 4096 }),
    lwwResolver(),
    localCoordinator(),
  ]);
  await node.start();
  return node;
}

interface Outcome {
  /** Keys whose write n3 acknowledged, with the value written. */
  readonly acked: Map<string, string>;
  /** Virtual time at which n3's acknowledgement arrived, by key. */
  readonly ackedAt: Map<string, number>;
  /** Every value ever written, by key. */
  readonly written: Map<string, string>;
  /** n3's content after the restart. */
  readonly after: Map<string, string[]>;
  readonly crashAt: number;
}

async function crashScenario(sim: Simulation, fsync: Fsync, crash: CrashOptions = {}): Promise<Outcome> {
  const nodes = new Map<NodeId, DynamisNode>();
  for (const id of IDS) nodes.set(id, await compose(sim, id, fsync));
  const acked = new Map<string, string>();
  const ackedAt = new Map<string, number>();
  const written = new Map<string, string>();
  const crashAt = 50 + sim.random('n1').int(200);
  sim.scheduler.schedule(crashAt, () => sim.crashNode(VICTIM, crash));

  let finished = 0;
  const writer = async (from: NodeId): Promise<void> => {
    const node = nodes.get(from)!;
    const clock = node.resolve(ClockToken);
    const random = sim.random(from);
    for (let i = 0; i < WRITES_PER_WRITER; i++) {
      await clock.sleep(1 + random.int(6));
      const key = `${from}/${i}`;
      const value = `v:${from}:${i}:${random.int(1_000_000)}`;
      const now = clock.now();
      const version = node.resolve(ConflictResolverToken).stamp(from, undefined, [], now);
      written.set(key, value);
      await Promise.all(
        IDS.map(async (to) => {
          try {
            await node
              .resolve(ReplicaClientToken)
              .write(to, key, [{ version, value: Buffer.from(value), writtenAt: now }], { timeoutMs: 50 });
            if (to === VICTIM) {
              acked.set(key, value);
              ackedAt.set(key, sim.now());
            }
          } catch {
            // Not acknowledged (the victim is down): nothing is promised for it.
          }
        }),
      );
    }
    finished++;
  };
  void writer('n1');
  void writer('n2');
  await sim.runUntil(() => finished === 2, 600_000);
  expect(sim.isCrashed(VICTIM)).toBe(true);

  const restarted = await sim.restartNode(VICTIM, () => compose(sim, VICTIM, fsync));
  const after = new Map<string, string[]>();
  for (const key of written.keys()) {
    const siblings = await restarted.resolve(ReplicaToken).read(key);
    if (siblings.length > 0)
      after.set(
        key,
        siblings.map((s) => Buffer.from(s.value ?? new Uint8Array()).toString()),
      );
  }
  // The dead n3 is abandoned, as a crashed process is: only live nodes are stopped.
  for (const id of IDS.filter((n) => n !== VICTIM)) await nodes.get(id)!.stop();
  await restarted.stop();
  return { acked, ackedAt, written, after, crashAt };
}

describe('engine-lsm inside the simulation: a node loses power and restarts over its simulated disk', () => {
  it.each(SEEDS)(
    "seed %i: fsync 'always' (odd seeds: torn tails): every write n3 acknowledged is intact after the restart, nothing never-written appears",
    (seed) =>
      runSimulation({ seed, nodes: IDS, disk: 'faulty' }, async (sim) => {
        // Odd seeds tear the unsynced tails (a random prefix of them survives), even seeds drop them.
        const torn: CrashOptions = seed % 2 === 1 ? { unsyncedTail: 'keep-random-prefix' } : {};
        const { acked, written, after, crashAt } = await crashScenario(sim, 'always', torn);
        // The crash came mid-load: some writes were acknowledged by n3 before it, some were not.
        expect({ crashAt, acked: acked.size > 0 }).toEqual({ crashAt, acked: true });
        expect(acked.size).toBeLessThan(written.size);
        for (const [key, value] of acked) expect({ key, values: after.get(key) }).toEqual({ key, values: [value] });
        for (const [key, values] of after) expect({ key, values }).toEqual({ key, values: [written.get(key)] });
        expect((sim.disk(VICTIM) as FaultyFileSystem).stats.crashes).toBe(1);
        // Memtables were flushed to tables on the simulated disk, not only logged.
        expect(
          sim
            .disk(VICTIM)
            .list(`${realDir}/engine`)
            .some((f) => f.endsWith('.sst')),
        ).toBe(true);
        expect(
          sim
            .log(VICTIM)
            .lines()
            .some((l) => l.includes('simulated crash')),
        ).toBe(true);
        expect(realCalls).toEqual([]);
        expect(readdirSync(realDir)).toEqual([]);
      }),
  );

  it.each(SEEDS)(
    "seed %i: fsync 'interval' runs on the virtual clock: every write acknowledged an interval before the power loss survives",
    (seed) =>
      runSimulation({ seed, nodes: IDS, disk: 'faulty' }, async (sim) => {
        const { acked, ackedAt, after, crashAt } = await crashScenario(sim, 'interval');
        // The engine's fsync timer ticks every FSYNC_INTERVAL_MS of virtual time; a real-time timer would not have
        // fired in the few real milliseconds the run takes, and these writes would be lost.
        const settled = [...acked.keys()].filter((key) => ackedAt.get(key)! < crashAt - 2 * FSYNC_INTERVAL_MS);
        expect(settled.length).toBeGreaterThan(0);
        for (const key of settled) expect({ key, values: after.get(key) }).toEqual({ key, values: [acked.get(key)] });
        expect(realCalls).toEqual([]);
      }),
  );

  it('the same seed replays the same run: same network trace, same acknowledgements, same log of the victim', async () => {
    const run = (): Promise<{ digest: string; acked: string[]; log: readonly string[] }> =>
      runSimulation({ seed: SEEDS[0]!, nodes: IDS, disk: 'faulty' }, async (sim) => {
        const { acked } = await crashScenario(sim, 'always');
        return { digest: sim.traceDigest(), acked: [...acked.keys()].sort(), log: sim.log(VICTIM).lines() };
      });
    const first = await run();
    expect(await run()).toEqual(first);
  });

  it('compactions run inline on the simulated disk (no worker thread, even when backgroundThread is on) and survive a power loss', () =>
    runSimulation({ seed: SEEDS[0]!, nodes: ['n1'], disk: 'faulty' }, async (sim) => {
      const composeOne = async (): Promise<DynamisNode> => {
        const node = await createNode({ nodeId: 'n1', dataDir: realDir }, [
          simulatedEnvironment(sim, 'n1'),
          lsmEngine({ fsync: 'always', memtableBytes: 4096, compaction: { backgroundThread: true } }),
          lwwResolver(),
          localCoordinator(),
        ]);
        await node.start();
        return node;
      };
      const node = await composeOne();
      const engine = node.resolve(StorageEngineToken);
      const key = (i: number): Uint8Array => Buffer.from(`k${String(i).padStart(4, '0')}`);
      let done = false;
      void (async () => {
        for (let i = 0; i < 400; i++) await engine.put(key(i), Buffer.from(`value-${i}-`.repeat(8)));
        await engine.compactRange();
        done = true;
      })();
      await sim.runUntil(() => done, 60_000);
      const counters = engine.stats().counters as Record<string, number>;
      expect(counters['compactions']).toBeGreaterThan(0);
      expect(counters['workerCompactions']).toBe(0);
      sim.crashNode('n1');
      const again = await sim.restartNode('n1', composeOne);
      const reopened = again.resolve(StorageEngineToken);
      for (let i = 0; i < 400; i++) expect(Buffer.from((await reopened.get(key(i))) ?? []).toString()).toBe(`value-${i}-`.repeat(8));
      await again.stop();
      expect(realCalls).toEqual([]);
    }));

  it("negative control: with fsync 'none' a power loss drops writes n3 had acknowledged", async () => {
    let lost = 0;
    for (const seed of SEEDS) {
      await runSimulation({ seed, nodes: IDS, disk: 'faulty' }, async (sim) => {
        const { acked, after } = await crashScenario(sim, 'none');
        for (const key of acked.keys()) if (!after.has(key)) lost++;
      });
    }
    expect(lost).toBeGreaterThan(0);
    expect(realCalls).toEqual([]);
    expect(existsSync(join(realDir, 'engine'))).toBe(false);
  });
});
