import { describe, expect, it } from '@jest/globals';
import {
  isDynamisError,
  type AntiEntropy,
  type ConflictResolver,
  type NodeId,
  type RangeId,
  type RepairStats,
  type Sibling,
} from '@dynamis/core';
import { runSimulation } from '../sim/runSimulation';
import { seedFromEnv } from '../sim/seedFromEnv';
import type { Simulation } from '../sim/Simulation';

/** One node of the cluster under test: its AntiEntropy, its replica and its resolver. */
export interface AntiEntropyNode {
  readonly id: NodeId;
  readonly antiEntropy: AntiEntropy;
  /** The node's own records (core's Replica: `read` every sibling, `apply` merges incoming siblings). */
  readonly replica: {
    read(key: string): Promise<Sibling[]>;
    apply(key: string, siblings: readonly Sibling[]): Promise<Sibling[]>;
  };
  readonly resolver: ConflictResolver;
}

/** What an anti-entropy factory returns: the composed, started cluster, ready to exchange. */
export interface AntiEntropyCluster {
  /** One per `sim.nodeIds()`, in that order. */
  readonly nodes: readonly AntiEntropyNode[];
  /** The range (partition) `key` belongs to. */
  rangeOf(key: string): RangeId;
  /** Stops every node (the suite calls it at the end of each case). */
  stop(): Promise<void>;
}

export interface AntiEntropyContractOptions {
  /** Simulation seed (default 1; DYNAMIS_SEED replays a printed failing seed). */
  readonly seed?: number;
  /** Most bytes an exchange between equal replicas may count (default 1024). */
  readonly equalExchangeBytes?: number;
}

const VALUE_BYTES = 512;
/** A VALUE_BYTES value that reads back as `tag` (see Ctx.live). */
const value = (tag: string): Uint8Array => {
  const b = Buffer.alloc(VALUE_BYTES, '.');
  b.write(`${tag}:`);
  return b;
};

/**
 * The AntiEntropy port's contract suite over three simulated nodes (n1, n2,
 * n3) that each hold every key written to them. Call it at the top level of a
 * spec file: `antiEntropyContract('merkle', (sim) => composeCluster(sim))`.
 * `factory` composes and starts one node per `sim.nodeIds()` and resolves
 * once every node can exchange. Records are written straight into single
 * replicas (`replica.apply`), so the replicas differ exactly as the case
 * says; only `exchange` may repair them. Checks: equal replicas exchange next
 * to nothing and move no key; keys missing or different on either side are
 * repaired both ways, and equal keys are not sent; a tombstone beats an older
 * value and a replayed old value never brings the key back; the stats count
 * exactly the keys that moved and at least their value bytes; bad arguments
 * are INVALID_ARGUMENT and an unreachable peer fails with UNAVAILABLE or
 * TIMEOUT.
 */
export function antiEntropyContract(
  name: string,
  factory: (sim: Simulation) => Promise<AntiEntropyCluster>,
  options: AntiEntropyContractOptions = {},
): void {
  const withCluster = (body: (c: Ctx) => Promise<void>) => async (): Promise<void> => {
    await runSimulation({ seed: seedFromEnv(options.seed ?? 1), nodes: ['n1', 'n2', 'n3'] }, async (sim) => {
      const cluster = await factory(sim);
      try {
        expect(cluster.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
        await body(new Ctx(sim, cluster));
      } finally {
        await cluster.stop();
      }
    });
  };

  describe(`AntiEntropy contract: ${name}`, () => {
    it(
      'equal replicas exchange next to nothing and move no key',
      withCluster(async (c) => {
        const keys = c.keysIn(c.rangeOf('anchor'), 40);
        for (const key of keys) await c.writeTo(['n1', 'n2', 'n3'], key, 'e');
        for (const [from, to] of [
          ['n1', 'n2'],
          ['n2', 'n3'],
          ['n3', 'n1'],
        ] as const) {
          const stats = await c.exchange(from, to, c.rangeOf('anchor'));
          expect(stats).toMatchObject({ range: c.rangeOf('anchor'), peer: to, keysSent: 0, keysReceived: 0 });
          expect(stats.nodesCompared).toBeGreaterThanOrEqual(1);
          expect(stats.bytesTransferred).toBeGreaterThan(0);
          expect(stats.bytesTransferred).toBeLessThanOrEqual(options.equalExchangeBytes ?? 1024);
        }
      }),
    );

    it(
      'keys missing or different on either side are repaired both ways; equal keys are not sent',
      withCluster(async (c) => {
        const range = c.rangeOf('anchor');
        const [onlyA, onlyB, newerA, newerB, ...equal] = c.keysIn(range, 34);
        for (const key of equal) await c.writeTo(['n1', 'n2'], key, 'e');
        await c.writeTo(['n1'], onlyA!, 'a');
        await c.writeTo(['n2'], onlyB!, 'b');
        await c.writeTo(['n2'], newerA!, 'old');
        await c.writeTo(['n1'], newerB!, 'old');
        await c.writeTo(['n1'], newerA!, 'new', 1000);
        await c.writeTo(['n2'], newerB!, 'new', 1000);
        const stats = await c.exchange('n1', 'n2', range);
        for (const key of [onlyA!, onlyB!, newerA!, newerB!, ...equal]) await c.expectSame(key, ['n1', 'n2']);
        expect(await c.live('n2', onlyA!)).toEqual(['a']);
        expect(await c.live('n1', onlyB!)).toEqual(['b']);
        expect(await c.live('n2', newerA!)).toContain('new');
        expect(await c.live('n1', newerB!)).toContain('new');
        expect(await c.live('n3', onlyA!)).toEqual([]); // a third replica is not part of the exchange
        // onlyA and newerA had to go to n2, onlyB and newerB to come to n1; no equal key moves.
        expect(stats.keysSent).toBeGreaterThanOrEqual(2);
        expect(stats.keysReceived).toBeGreaterThanOrEqual(2);
        expect(stats.keysSent).toBeLessThanOrEqual(4);
        expect(stats.keysReceived).toBeLessThanOrEqual(4);
        expect(stats.nodesCompared).toBeGreaterThan(1);
        expect(stats.bytesTransferred).toBeGreaterThanOrEqual(4 * VALUE_BYTES);
        expect(stats.bytesTransferred).toBeLessThan(equal.length * VALUE_BYTES);
        const again = await c.exchange('n2', 'n1', range);
        expect(again).toMatchObject({ keysSent: 0, keysReceived: 0 });
      }),
    );

    it(
      'a tombstone beats an older value and is never resurrected',
      withCluster(async (c) => {
        const range = c.rangeOf('anchor');
        const [key] = c.keysIn(range, 1);
        const old = await c.writeTo(['n1', 'n2', 'n3'], key!, 'old');
        const tomb = c.stamp('n2', null, 1000, old);
        await c.node('n2').replica.apply(key!, [tomb]);
        await c.exchange('n1', 'n2', range); // n1 pulls the tombstone
        await c.exchange('n3', 'n1', range); // n3 gets it from n1
        for (const id of ['n1', 'n2', 'n3'] as const) {
          expect(await c.live(id, key!)).toEqual([]);
          expect((await c.node(id).replica.read(key!)).some((s) => s.value === null)).toBe(true);
        }
        await c.node('n3').replica.apply(key!, old); // a late copy of the old value arrives at n3
        await c.exchange('n3', 'n2', range);
        await c.exchange('n1', 'n3', range);
        for (const id of ['n1', 'n2', 'n3'] as const) expect(await c.live(id, key!)).toEqual([]);
        await c.expectSame(key!, ['n1', 'n2', 'n3']);
      }),
    );

    it(
      'stats count exactly the keys that moved, and at least their bytes',
      withCluster(async (c) => {
        const range = c.rangeOf('anchor');
        const keys = c.keysIn(range, 30);
        for (const key of keys.slice(10)) await c.writeTo(['n1', 'n2'], key, 'e');
        for (const key of keys.slice(0, 5)) await c.writeTo(['n1'], key, 'x');
        const pull = await c.exchange('n2', 'n1', range);
        expect(pull).toMatchObject({ range, peer: 'n1', keysSent: 0, keysReceived: 5 });
        expect(pull.bytesTransferred).toBeGreaterThanOrEqual(5 * VALUE_BYTES);
        for (const key of keys.slice(5, 8)) await c.writeTo(['n2'], key, 'y');
        for (const key of keys.slice(8, 10)) await c.writeTo(['n1'], key, 'z');
        const both = await c.exchange('n2', 'n1', range);
        expect(both).toMatchObject({ keysSent: 3, keysReceived: 2 });
        expect(both.bytesTransferred).toBeGreaterThanOrEqual(5 * VALUE_BYTES);
        const quiet = await c.exchange('n1', 'n2', range);
        expect(quiet).toMatchObject({ keysSent: 0, keysReceived: 0 });
        expect(quiet.bytesTransferred).toBeLessThan(VALUE_BYTES);
      }),
    );

    it(
      'bad arguments are INVALID_ARGUMENT; an unreachable peer fails with UNAVAILABLE or TIMEOUT',
      withCluster(async (c) => {
        const n1 = c.node('n1').antiEntropy;
        await c.rejects(n1.exchange('n1', 0), ['INVALID_ARGUMENT']);
        await c.rejects(n1.exchange('n2', -1), ['INVALID_ARGUMENT']);
        await c.rejects(n1.exchange('n2', 0.5), ['INVALID_ARGUMENT']);
        await c.rejects(n1.exchange('n2', 1 << 20), ['INVALID_ARGUMENT']);
        c.sim.network.isolate('n2');
        await c.rejects(n1.exchange('n2', c.rangeOf('anchor')), ['UNAVAILABLE', 'TIMEOUT']);
        c.sim.network.heal();
        await c.exchange('n1', 'n2', c.rangeOf('anchor'));
      }),
    );
  });
}

class Ctx {
  private readonly t0: number;

  constructor(
    readonly sim: Simulation,
    private readonly cluster: AntiEntropyCluster,
  ) {
    this.t0 = sim.clock('n1').now();
  }

  node(id: NodeId) {
    const n = this.cluster.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  rangeOf(key: string): RangeId {
    return this.cluster.rangeOf(key);
  }

  /** `count` distinct keys of `range`. */
  keysIn(range: RangeId, count: number): string[] {
    const keys: string[] = [];
    for (let i = 0; keys.length < count; i++) if (this.rangeOf(`key-${i}`) === range) keys.push(`key-${i}`);
    return keys;
  }

  /** A sibling written by `writer` at t0 + `at` ms, descending from `past` (a write with the read's context). */
  stamp(writer: NodeId, v: Uint8Array | null, at: number, past: readonly Sibling[] = []): Sibling {
    const r = this.node(writer).resolver;
    const version = r.stamp(writer, past.length === 0 ? undefined : r.context(past), past, this.t0 + at);
    return { version, value: v, writtenAt: this.t0 + at };
  }

  /** Writes one new version of `key` (value `tag` × 512) into the replicas of `ids`, stamped by the first. */
  async writeTo(ids: readonly NodeId[], key: string, tag: string, at = 0): Promise<Sibling[]> {
    const s = this.stamp(ids[0]!, value(tag), at);
    for (const id of ids) await this.node(id).replica.apply(key, [s]);
    return [s];
  }

  /** The live values of `key` on `id`, as their first character, sorted. */
  async live(id: NodeId, key: string): Promise<string[]> {
    const siblings = await this.node(id).replica.read(key);
    return siblings
      .filter((s) => s.value !== null)
      .map((s) => Buffer.from(s.value!).toString().split(':')[0]!)
      .sort();
  }

  /** Every replica of `ids` holds the same siblings of `key`. */
  async expectSame(key: string, ids: readonly NodeId[]): Promise<void> {
    const describe = (s: Sibling[]) =>
      s.map((x) => [Buffer.from(x.version).toString('hex'), x.value === null ? null : Buffer.from(x.value).toString('hex'), x.writtenAt]);
    const first = describe(await this.node(ids[0]!).replica.read(key));
    for (const id of ids.slice(1))
      expect({ id, key, record: describe(await this.node(id).replica.read(key)) }).toEqual({ id, key, record: first });
  }

  /** `from` exchanges `range` with `to`, virtual time running. */
  exchange(from: NodeId, to: NodeId, range: RangeId): Promise<RepairStats> {
    return this.run(this.node(from).antiEntropy.exchange(to, range));
  }

  run<T>(p: Promise<T>): Promise<T> {
    return this.sim.settle(p);
  }

  /** Expects `p` to fail with a DynamisError whose code is one of `codes`. */
  async rejects(p: Promise<unknown>, codes: readonly string[]): Promise<void> {
    const outcome = await this.run(p).then(
      () => 'resolved',
      (err: unknown) => err,
    );
    expect(isDynamisError(outcome) ? codes.includes(outcome.code) : outcome).toBe(true);
  }
}
