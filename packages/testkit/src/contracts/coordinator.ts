import { describe, expect, it } from '@jest/globals';
import {
  isDynamisError,
  SCAN_DEFAULT_LIMIT,
  type Consistency,
  type Coordinator,
  type ErrorCode,
  type NodeId,
  type ReadResult,
  type ScanItem,
  type ScanOptions,
  type WriteResult,
} from '@dynamis/core';
import { runSimulation } from '../sim/runSimulation';
import { seedFromEnv } from '../sim/seedFromEnv';
import type { Simulation } from '../sim/Simulation';

/** What a coordinator factory returns: the composed, started cluster. */
export interface CoordinatorCluster {
  /** Every node a request may be sent through, with its Coordinator. */
  readonly nodes: readonly { readonly id: NodeId; readonly coordinator: Coordinator }[];
  /** Stops every node (the suite calls it at the end of each case). */
  stop(): Promise<void>;
}

export interface CoordinatorContractOptions {
  /** Nodes in the simulation, named n1..nK (default 3). */
  readonly nodes?: number;
  /** Replicas per key: the upper bound of `acks` (default: the node count). */
  readonly replicas?: number;
  /** Simulation seed (default 1; DYNAMIS_SEED replays a printed failing seed). */
  readonly seed?: number;
  /**
   * Cluster-only checks (a node cut off: consistency 'all' is
   * QUORUM_NOT_REACHED, 'one' succeeds; a level above `replicas` is
   * INVALID_ARGUMENT). Needs at least 2 nodes holding every key.
   */
  readonly cluster?: boolean;
}

/** Codes a Coordinator may fail with (ports/Coordinator.ts, docs/errors.md). */
const COORDINATOR_CODES: readonly ErrorCode[] = ['QUORUM_NOT_REACHED', 'TIMEOUT', 'CONFLICT', 'UNAVAILABLE', 'INVALID_ARGUMENT'];

const bytes = (s: string): Uint8Array => Buffer.from(s);
const texts = (r: Pick<ReadResult, 'siblings'>): string[] => r.siblings.map((s) => Buffer.from(s.value).toString()).sort();
/** Virtual time after the writes of a scan case, so every replica (not only the W that acknowledged) holds them: a scan reads one. */
const SETTLE_MS = 2_000;
/** Most pages one walk may take before the suite calls it endless. */
const MAX_PAGES = 10_000;

/**
 * The Coordinator port's contract suite, over a simulated cluster the suite
 * owns. Call it at the top level of a spec file:
 * `coordinatorContract('quorum', (sim) => composeCluster(sim), { cluster: true })`.
 * `factory` composes and starts one node per `sim.nodeIds()` in `sim`
 * (SimTransport, virtual clocks) and returns their coordinators. Every check
 * runs through every node; reads use the coordinator's default consistency,
 * which must see the coordinator's own acknowledged writes (R + W > N).
 */
export function coordinatorContract(
  name: string,
  factory: (sim: Simulation) => Promise<CoordinatorCluster>,
  options: CoordinatorContractOptions = {},
): void {
  const k = options.nodes ?? 3;
  const replicas = options.replicas ?? k;
  const nodeIds = Array.from({ length: k }, (_, i) => `n${i + 1}`);

  /** One case: a fresh simulation and cluster; `body` gets a runner that drives virtual time. */
  const withCluster = (body: (c: Ctx) => Promise<void>) => async (): Promise<void> => {
    await runSimulation({ seed: seedFromEnv(options.seed ?? 1), nodes: nodeIds }, async (sim) => {
      const cluster = await factory(sim);
      try {
        expect(cluster.nodes.length).toBeGreaterThan(0);
        await body(new Ctx(sim, cluster, replicas));
      } finally {
        await cluster.stop();
      }
    });
  };

  describe(`Coordinator contract: ${name}`, () => {
    it(
      'a missing key is found: false with a context, on every node',
      withCluster(async (c) => {
        for (const { id, coordinator } of c.nodes) {
          const r = await c.run(coordinator.get(`missing-${id}`, {}));
          expect(r).toMatchObject({ found: false, siblings: [] });
          expect(r.context).toBeInstanceOf(Uint8Array);
        }
      }),
    );

    it(
      'put then get returns the value and a context, through the writer and every other node',
      withCluster(async (c) => {
        for (const { id, coordinator } of c.nodes) {
          const w = c.acks(await c.run(coordinator.put(`k-${id}`, bytes(`v-${id}`), {})));
          expect(w.context).toBeInstanceOf(Uint8Array);
          const own = await c.run(coordinator.get(`k-${id}`, {}));
          expect(own.found).toBe(true);
          expect(texts(own)).toEqual([`v-${id}`]);
          expect(own.context).toBeInstanceOf(Uint8Array);
        }
        for (const { coordinator } of c.nodes)
          for (const { id } of c.nodes) expect(texts(await c.run(coordinator.get(`k-${id}`, {})))).toEqual([`v-${id}`]);
      }),
    );

    it(
      'a write with the read context supersedes every sibling read',
      withCluster(async (c) => {
        for (const { id, coordinator } of c.nodes) {
          const key = `s-${id}`;
          await c.run(coordinator.put(key, bytes('a'), {}));
          await c.run(coordinator.put(key, bytes('b'), {})); // no context: siblings under a resolver that keeps them
          const read = await c.run(coordinator.get(key, {}));
          c.acks(await c.run(coordinator.put(key, bytes('c'), { context: read.context })));
          for (const other of c.nodes) expect(texts(await c.run(other.coordinator.get(key, {})))).toEqual(['c']);
        }
      }),
    );

    it(
      'delete then get is found: false; deleting a missing key succeeds',
      withCluster(async (c) => {
        for (const { id, coordinator } of c.nodes) {
          await c.run(coordinator.put(`d-${id}`, bytes('v'), {}));
          const read = await c.run(coordinator.get(`d-${id}`, {}));
          c.acks(await c.run(coordinator.delete(`d-${id}`, { context: read.context })));
          for (const other of c.nodes)
            expect(await c.run(other.coordinator.get(`d-${id}`, {}))).toMatchObject({ found: false, siblings: [] });
          c.acks(await c.run(coordinator.delete(`never-${id}`, {})));
          expect((await c.run(coordinator.get(`never-${id}`, {}))).found).toBe(false);
        }
      }),
    );

    it(
      'a TTL value is live until the virtual clock passes its expiry, then gone',
      withCluster(async (c) => {
        for (const { id, coordinator } of c.nodes) {
          await c.run(coordinator.put(`t-${id}`, bytes('short'), { ttlMs: 5_000 }));
          await c.run(coordinator.put(`l-${id}`, bytes('long'), {}));
          const live = await c.run(coordinator.get(`t-${id}`, {}));
          expect(texts(live)).toEqual(['short']);
          expect(live.siblings[0]!.expiresAt).toBeGreaterThan(live.siblings[0]!.writtenAt);
        }
        await c.sim.runFor(10_000);
        for (const { coordinator } of c.nodes)
          for (const { id } of c.nodes) {
            expect((await c.run(coordinator.get(`t-${id}`, {}))).found).toBe(false);
            expect(texts(await c.run(coordinator.get(`l-${id}`, {})))).toEqual(['long']);
          }
      }),
    );

    it(
      'ifAbsent: succeeds on a missing or deleted key, CONFLICT while a live value exists',
      withCluster(async (c) => {
        for (const { id, coordinator } of c.nodes) {
          const key = `a-${id}`;
          c.acks(await c.run(coordinator.put(key, bytes('first'), { ifAbsent: true })));
          for (const other of c.nodes) await c.rejects(other.coordinator.put(key, bytes('second'), { ifAbsent: true }), 'CONFLICT');
          expect(texts(await c.run(coordinator.get(key, {})))).toEqual(['first']);
          const read = await c.run(coordinator.get(key, {}));
          await c.run(coordinator.delete(key, { context: read.context }));
          c.acks(await c.run(coordinator.put(key, bytes('again'), { ifAbsent: true })));
          expect(texts(await c.run(coordinator.get(key, {})))).toEqual(['again']);
        }
      }),
    );

    it(
      'ifVersion: a current context succeeds, a stale one is CONFLICT and writes nothing',
      withCluster(async (c) => {
        for (const { id, coordinator } of c.nodes) {
          const key = `v-${id}`;
          await c.run(coordinator.put(key, bytes('one'), {}));
          const stale = (await c.run(coordinator.get(key, {}))).context;
          c.acks(await c.run(coordinator.put(key, bytes('two'), { ifVersion: stale })));
          for (const other of c.nodes) await c.rejects(other.coordinator.put(key, bytes('three'), { ifVersion: stale }), 'CONFLICT');
          expect(texts(await c.run(coordinator.get(key, {})))).toEqual(['two']);
        }
      }),
    );

    it(
      'batch returns one result per op; its puts are readable and its deletes (with the read context) applied',
      withCluster(async (c) => {
        for (const { id, coordinator } of c.nodes) {
          await c.run(coordinator.put(`b3-${id}`, bytes('old'), {}));
          const old = await c.run(coordinator.get(`b3-${id}`, {}));
          const results = await c.run(
            coordinator.batch(
              [
                { type: 'put', key: `b1-${id}`, value: bytes('x') },
                { type: 'put', key: `b2-${id}`, value: bytes('y'), ttlMs: 60_000 },
                { type: 'del', key: `b3-${id}`, context: old.context },
                { type: 'del', key: `b4-${id}` },
              ],
              {},
            ),
          );
          expect(results).toHaveLength(4);
          for (const r of results) c.acks(r);
          for (const other of c.nodes) {
            expect(texts(await c.run(other.coordinator.get(`b1-${id}`, {})))).toEqual(['x']);
            expect(texts(await c.run(other.coordinator.get(`b2-${id}`, {})))).toEqual(['y']);
            expect((await c.run(other.coordinator.get(`b3-${id}`, {}))).found).toBe(false);
            expect((await c.run(other.coordinator.get(`b4-${id}`, {}))).found).toBe(false);
          }
        }
        expect(await c.run(c.nodes[0]!.coordinator.batch([], {}))).toEqual([]);
      }),
    );

    it(
      'scan: pages of at most `limit` walk every live key exactly once, through every node, and end with cursor null',
      withCluster(async (c) => {
        expect(await c.walk(c.nodes[0]!.coordinator, {})).toEqual([]); // a fresh store
        const keys = Array.from({ length: 30 }, (_, i) => `scan/${String(i).padStart(2, '0')}`);
        for (const [i, key] of keys.entries()) await c.run(c.nodes[i % c.nodes.length]!.coordinator.put(key, bytes(`v${key}`), {}));
        await c.sim.runFor(SETTLE_MS);
        for (const { coordinator } of c.nodes) {
          for (const limit of [1, 7, 100]) {
            const items = await c.walk(coordinator, { limit });
            expect(items.map((item) => item.key).sort()).toEqual(keys);
            for (const item of items) {
              expect(texts(item)).toEqual([`v${item.key}`]);
              expect(item.context).toBeInstanceOf(Uint8Array);
            }
          }
        }
      }),
    );

    it(
      'scan: an item agrees with a get of its key, and its context supersedes the siblings it listed, as a read context does',
      withCluster(async (c) => {
        const key = 'agree/1';
        await c.run(c.nodes[0]!.coordinator.put(key, bytes('a'), {}));
        await c.run(c.nodes[c.nodes.length - 1]!.coordinator.put(key, bytes('b'), {})); // no context: siblings under vclock
        await c.sim.runFor(SETTLE_MS);
        for (const { coordinator } of c.nodes) {
          const [item] = await c.walk(coordinator, { prefix: 'agree/' });
          expect(item?.key).toBe(key);
          expect(texts(item!)).toEqual(texts(await c.run(coordinator.get(key, {}))));
        }
        const [item] = await c.walk(c.nodes[0]!.coordinator, { prefix: 'agree/' });
        c.acks(await c.run(c.nodes[0]!.coordinator.put(key, bytes('c'), { context: item!.context })));
        await c.sim.runFor(SETTLE_MS);
        for (const { coordinator } of c.nodes) {
          expect(texts(await c.run(coordinator.get(key, {})))).toEqual(['c']);
          expect((await c.walk(coordinator, { prefix: 'agree/' })).map(texts)).toEqual([['c']]);
        }
      }),
    );

    it(
      'scan: deleted and expired keys are not listed; a key written again after its delete is',
      withCluster(async (c) => {
        const first = c.nodes[0]!.coordinator;
        for (const i of [1, 2, 3, 4, 6]) await c.run(first.put(`gone/${i}`, bytes(`v${i}`), {}));
        await c.run(first.put('gone/5', bytes('v5'), { ttlMs: 5_000 }));
        for (const i of [2, 4]) await c.run(first.delete(`gone/${i}`, { context: (await c.run(first.get(`gone/${i}`, {}))).context }));
        await c.run(first.delete('gone/never-written', {}));
        await c.sim.runFor(SETTLE_MS);
        const keys = async (coordinator: Coordinator) =>
          (await c.walk(coordinator, { prefix: 'gone/', limit: 2 })).map((i) => i.key).sort();
        for (const { coordinator } of c.nodes) expect(await keys(coordinator)).toEqual(['gone/1', 'gone/3', 'gone/5', 'gone/6']);
        await c.sim.runFor(10_000); // past gone/5's expiry
        for (const { coordinator } of c.nodes) expect(await keys(coordinator)).toEqual(['gone/1', 'gone/3', 'gone/6']);
        await c.run(first.put('gone/2', bytes('back'), { context: (await c.run(first.get('gone/2', {}))).context }));
        await c.sim.runFor(SETTLE_MS);
        for (const { coordinator } of c.nodes) expect(await keys(coordinator)).toEqual(['gone/1', 'gone/2', 'gone/3', 'gone/6']);
      }),
    );

    it(
      'scan: a prefix bounds the walk to the keys starting with its bytes; a malformed cursor is INVALID_ARGUMENT',
      withCluster(async (c) => {
        const keys = ['p', 'p1', 'p10', 'p2', 'pé', 'p\u{10ffff}', 'q', 'o~', 'P1'];
        for (const key of keys) await c.run(c.nodes[0]!.coordinator.put(key, bytes(key), {}));
        await c.sim.runFor(SETTLE_MS);
        for (const { coordinator } of c.nodes) {
          const under = async (prefix: string) => (await c.walk(coordinator, { prefix, limit: 3 })).map((i) => i.key).sort();
          expect(await under('p1')).toEqual(['p1', 'p10']);
          expect(await under('p')).toEqual(['p', 'p1', 'p10', 'p2', 'p\u{10ffff}', 'pé'].sort());
          expect(await under('pé')).toEqual(['pé']);
          expect(await under('p3')).toEqual([]);
          expect((await c.walk(coordinator, {})).map((i) => i.key).sort()).toEqual([...keys].sort());
          await c.rejects(coordinator.scan({ cursor: 'not a cursor' }), 'INVALID_ARGUMENT');
        }
      }),
    );

    if (options.cluster === true) {
      it(
        'cluster: a node cut off makes consistency all QUORUM_NOT_REACHED while one succeeds; a level above N is INVALID_ARGUMENT',
        withCluster(async (c) => {
          expect(c.nodes.length).toBeGreaterThanOrEqual(2);
          const [first, second] = [c.nodes[0]!, c.nodes[1]!];
          await c.rejects(first.coordinator.put('q', bytes('v'), { consistency: replicas + 1 }), 'INVALID_ARGUMENT');
          await c.rejects(first.coordinator.get('q', { consistency: replicas + 1 }), 'INVALID_ARGUMENT');
          c.sim.network.isolate(second.id);
          const all: Consistency = 'all';
          await c.rejects(first.coordinator.put('q', bytes('v'), { consistency: all, timeoutMs: 2_000 }), 'QUORUM_NOT_REACHED');
          await c.rejects(first.coordinator.get('q', { consistency: all, timeoutMs: 2_000 }), 'QUORUM_NOT_REACHED');
          expect(
            c.acks(await c.run(first.coordinator.put('q', bytes('w'), { consistency: 'one', timeoutMs: 2_000 }))).acks,
          ).toBeGreaterThanOrEqual(1);
          c.sim.network.heal();
        }),
      );
    }
  });
}

/** One case's view: the simulation, the cluster and checked helpers. */
class Ctx {
  constructor(
    readonly sim: Simulation,
    private readonly cluster: CoordinatorCluster,
    private readonly replicas: number,
  ) {}

  get nodes(): CoordinatorCluster['nodes'] {
    return this.cluster.nodes;
  }

  /** Runs virtual time until `p` settles; a rejection must be a DynamisError with a Coordinator code. */
  run<T>(p: Promise<T>): Promise<T> {
    const checked = p.catch((err: unknown) => {
      if (!isDynamisError(err) || !COORDINATOR_CODES.includes(err.code))
        throw new Error(`a Coordinator failed with something other than a documented DynamisError: ${String(err)}`, { cause: err });
      throw err;
    });
    return this.sim.settle(checked);
  }

  /** Expects `p` to fail with a DynamisError of `code`. */
  async rejects(p: Promise<unknown>, code: ErrorCode): Promise<void> {
    const outcome = await this.run(p).then(
      () => 'resolved',
      (err: unknown) => err,
    );
    expect(outcome).toMatchObject({ code });
  }

  /**
   * Every item of a scan through `coordinator` from the beginning to cursor
   * null, checking each page holds at most its limit and no key comes twice;
   * fails after MAX_PAGES pages.
   */
  async walk(coordinator: Coordinator, options: Omit<ScanOptions, 'cursor'>): Promise<ScanItem[]> {
    const items: ScanItem[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await this.run(coordinator.scan({ ...options, ...(cursor === undefined ? {} : { cursor }) }));
      expect(page.items.length).toBeLessThanOrEqual(options.limit ?? SCAN_DEFAULT_LIMIT);
      for (const item of page.items) {
        expect({ key: item.key, again: seen.has(item.key) }).toEqual({ key: item.key, again: false });
        seen.add(item.key);
        items.push(item);
      }
      if (page.cursor === null) return items;
      cursor = page.cursor;
    }
    throw new Error(`a scan did not end within ${MAX_PAGES} pages`);
  }

  /** Checks 1 ≤ acks ≤ N and returns the result. */
  acks(w: WriteResult): WriteResult {
    expect(w.acks).toBeGreaterThanOrEqual(1);
    expect(w.acks).toBeLessThanOrEqual(this.replicas);
    expect(w.context).toBeInstanceOf(Uint8Array);
    return w;
  }
}
