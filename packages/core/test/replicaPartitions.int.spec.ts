import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  ClockToken,
  ConflictResolverToken,
  createNode,
  dataKey,
  definePlugin,
  encodeReplicaLayout,
  isDataKey,
  isDynamisError,
  KeySpace,
  partitionOfDataKey,
  partitionOfKey,
  REPLICA_LAYOUT_KEY,
  ReplicaToken,
  StorageEngineToken,
  userKeyOf,
  type DynamisNode,
  type EngineIterator,
  type Plugin,
  type StorageEngine,
} from '@dynamis/core';
import { MemoryStorageEngine } from '@dynamis/engine-memory';
import { ringPartitioner } from '@dynamis/ring';
import { Simulation, simulatedEnvironment } from '@dynamis/testkit';

const Q = 16;

/** Every engine entry an iterator handed out, in order: what a scan visited. */
interface Visits {
  keys: Uint8Array[];
}

/** `engine` with its iterators wrapped to record each entry they return. */
function counting(engine: StorageEngine, visits: Visits): StorageEngine {
  return new Proxy(engine, {
    get(target, prop) {
      if (prop === 'iterator') {
        return (...args: Parameters<StorageEngine['iterator']>): EngineIterator => {
          const it = target.iterator(...args);
          const nextv = it.nextv.bind(it);
          const next = it.next.bind(it);
          return Object.assign(it, {
            nextv: async (size: number) => {
              const batch = await nextv(size);
              for (const [k] of batch) visits.keys.push(k);
              return batch;
            },
            next: async () => {
              const entry = await next();
              if (entry !== undefined) visits.keys.push(entry[0]);
              return entry;
            },
          });
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A StorageEngine plugin over one given engine instance (so two nodes in turn can open the same data). */
function engineOf(engine: StorageEngine): Plugin {
  return definePlugin({
    name: 'test/engine',
    version: '1.0.0',
    core: '^0.1.0',
    provides: ['StorageEngine'],
    needs: [],
    register: ({ bind }) => {
      bind(StorageEngineToken).toConstantValue(engine);
    },
  });
}

async function node(engine: StorageEngine, partitions: number | undefined): Promise<DynamisNode> {
  const sim = new Simulation({ seed: 9, nodes: ['n1'] });
  const n = await createNode({ nodeId: 'n1', log: { level: 'silent' } }, [
    simulatedEnvironment(sim, 'n1', { transport: false }),
    engineOf(engine),
    lwwResolver(),
    localCoordinator(),
    ...(partitions === undefined ? [] : [ringPartitioner({ partitions })]),
  ]);
  await n.start();
  return n;
}

async function fill(n: DynamisNode, count: number): Promise<string[]> {
  const replica = n.resolve(ReplicaToken);
  const keys = Array.from({ length: count }, (_, i) => `key-${i}`);
  const now = n.resolve(ClockToken).now();
  for (const key of keys) {
    const version = n.resolve(ConflictResolverToken).stamp('n1', undefined, [], now);
    await replica.apply(key, [{ version, value: Buffer.from(key), writtenAt: now }]);
  }
  return keys;
}

async function scanned(it: AsyncIterable<[string, unknown]>): Promise<string[]> {
  const out: string[] = [];
  for await (const [k] of it) out.push(k);
  return out;
}

const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('engine keys prefixed by partition', () => {
  it('stores each record under d + its partition + its key, with Q from the Partitioner', async () => {
    const n = await node(new MemoryStorageEngine(), Q);
    const replica = n.resolve(ReplicaToken);
    expect(replica.partitionCount).toBe(Q);
    const keys = await fill(n, 50);
    const engine = n.resolve(StorageEngineToken);
    const stored: Uint8Array[] = [];
    for await (const [k] of engine.iterator()) if (isDataKey(k)) stored.push(k);
    expect(stored).toHaveLength(50);
    for (const k of stored) expect(partitionOfDataKey(k)).toBe(partitionOfKey(userKeyOf(k), Q));
    expect(new Set(stored.map(partitionOfDataKey)).size).toBeGreaterThan(1);
    expect(Buffer.from(replica.keyOf(keys[0]!))).toEqual(Buffer.from(dataKey(partitionOfKey(keys[0]!, Q), keys[0]!)));
    await n.stop();
  });

  it('scan(partition) returns exactly that partition and the engine visits no key of another one', async () => {
    const visits: Visits = { keys: [] };
    const n = await node(counting(new MemoryStorageEngine(), visits), Q);
    const replica = n.resolve(ReplicaToken);
    const keys = await fill(n, 300);
    let total = 0;
    for (let p = 0; p < Q; p++) {
      visits.keys = [];
      const expected = keys.filter((k) => partitionOfKey(k, Q) === p).sort(byUtf8);
      expect(await scanned(replica.scan(p))).toEqual(expected);
      expect(visits.keys.map(userKeyOf)).toEqual(expected); // nothing else was read from the engine
      total += expected.length;
    }
    expect(total).toBe(300);
    // Key bounds within one partition: the engine reads only that slice.
    const p3 = keys.filter((k) => partitionOfKey(k, Q) === 3).sort(byUtf8);
    expect(p3.length).toBeGreaterThan(4);
    visits.keys = [];
    const slice = await scanned(replica.scan({ partition: 3, gte: p3[1], lt: p3[4] }));
    expect(slice).toEqual(p3.slice(1, 4));
    expect(visits.keys.map(userKeyOf)).toEqual(p3.slice(1, 4));
    // Every partition, in partition order then key order.
    const all = await scanned(replica.scan());
    expect(all).toEqual([...keys].sort((a, b) => partitionOfKey(a, Q) - partitionOfKey(b, Q) || byUtf8(a, b)));
    await expect(scanned(replica.scan(Q))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await n.stop();
  });

  it('key bounds without a partition apply within every partition', async () => {
    const n = await node(new MemoryStorageEngine(), Q);
    const replica = n.resolve(ReplicaToken);
    const keys = await fill(n, 100);
    const inRange = (k: string): boolean => byUtf8(k, 'key-3') >= 0 && byUtf8(k, 'key-6') < 0;
    const expected = keys.filter(inRange).sort((a, b) => partitionOfKey(a, Q) - partitionOfKey(b, Q) || byUtf8(a, b));
    expect(await scanned(replica.scan({ gte: 'key-3', lt: 'key-6' }))).toEqual(expected);
    await n.stop();
  });

  it('a node without a Partitioner uses one partition (Q = 1)', async () => {
    const n = await node(new MemoryStorageEngine(), undefined);
    expect(n.resolve(ReplicaToken).partitionCount).toBe(1);
    await fill(n, 3);
    expect(await scanned(n.resolve(ReplicaToken).scan(0))).toEqual(['key-0', 'key-1', 'key-2']);
    await n.stop();
  });
});

/** The INCOMPATIBLE_DATA behind a failed start (the kernel wraps it in PLUGIN_FAILED naming the replica). */
async function refusal(start: Promise<unknown>): Promise<unknown> {
  const err = await start.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'PLUGIN_FAILED', details: { plugin: '@dynamis/core:replica' } });
  const cause = (err as Error).cause;
  expect(isDynamisError(cause, 'INCOMPATIBLE_DATA')).toBe(true);
  return cause;
}

describe('the replica layout record', () => {
  it('is written on a new data dir; a restart with the same Q reads the data back', async () => {
    const engine = new MemoryStorageEngine();
    const first = await node(engine, Q);
    await fill(first, 5);
    await first.stop();
    await engine.open();
    expect(Buffer.from((await engine.get(REPLICA_LAYOUT_KEY))!)).toEqual(Buffer.from(encodeReplicaLayout(Q)));
    await engine.close();
    const again = await node(engine, Q);
    expect((await again.store.get('key-4')).found).toBe(true);
    await again.stop();
  });

  it('a node configured with another Q refuses the data dir (INCOMPATIBLE_DATA), whichever way it differs', async () => {
    const engine = new MemoryStorageEngine();
    const first = await node(engine, Q);
    await fill(first, 5);
    await first.stop();
    const cause = await refusal(node(engine, 2 * Q));
    expect(cause).toMatchObject({
      details: { stored: { version: 2, partitionCount: Q }, expected: { version: 2, partitionCount: 2 * Q } },
    });
    await refusal(node(engine, undefined)); // Q = 1
  });

  it('a data dir of an older build (data keys without a partition, no layout record) is refused, not read as empty', async () => {
    const engine = new MemoryStorageEngine();
    await engine.open();
    await engine.put(Buffer.concat([Uint8Array.of(KeySpace.data), Buffer.from('old-key')]), Uint8Array.of(1));
    await engine.close();
    const cause = await refusal(node(engine, Q));
    expect(cause).toMatchObject({ details: { stored: { version: 1 } } });
    await engine.open();
    expect(await engine.get(REPLICA_LAYOUT_KEY)).toBeUndefined(); // nothing written to the refused dir
    await engine.close();
  });

  it('a layout record of an unknown version is refused; a malformed one is CORRUPTION', async () => {
    const engine = new MemoryStorageEngine();
    await engine.open();
    await engine.put(REPLICA_LAYOUT_KEY, Uint8Array.of(0, 3, 0, 0, 0, Q));
    await engine.close();
    expect(await refusal(node(engine, Q))).toMatchObject({ details: { stored: { version: 3 } } });
    await engine.open();
    await engine.put(REPLICA_LAYOUT_KEY, Uint8Array.of(0, 2));
    await engine.close();
    const err = await node(engine, Q).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).cause).toMatchObject({ code: 'CORRUPTION' });
  });
});
