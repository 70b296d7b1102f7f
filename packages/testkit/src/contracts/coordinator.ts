import { describe, expect, it } from '@jest/globals';
import {
  isDynamisError,
  type Consistency,
  type Coordinator,
  type ErrorCode,
  type NodeId,
  type ReadResult,
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
const texts = (r: ReadResult): string[] => r.siblings.map((s) => Buffer.from(s.value).toString()).sort();

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

  /** Checks 1 ≤ acks ≤ N and returns the result. */
  acks(w: WriteResult): WriteResult {
    expect(w.acks).toBeGreaterThanOrEqual(1);
    expect(w.acks).toBeLessThanOrEqual(this.replicas);
    expect(w.context).toBeInstanceOf(Uint8Array);
    return w;
  }
}
