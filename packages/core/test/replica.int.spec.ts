import { describe, expect, it } from '@jest/globals';
import {
  asCausalContext,
  asVersion,
  ConfigToken,
  ConflictResolverToken,
  createNode,
  definePlugin,
  ReplicaToken,
  StorageEngineToken,
  type CausalContext,
  type ConflictResolver,
  type DynamisNode,
  type NodeId,
  type Sibling,
  type Version,
} from '@dynamis/core';
import { localCoordinator } from '@dynamis/coordinator-local';
import { memoryEngine } from '@dynamis/engine-memory';
import { Simulation, simulatedEnvironment } from '@dynamis/testkit';

/**
 * A test resolver that keeps every write no other write supersedes (what a
 * vector-clock resolver does with concurrent writes), so the replica's
 * sibling records can be checked end to end. A version is `id` or
 * `id>id1,id2` (the ids of the versions this write supersedes: its context).
 */
class KeepAllResolver implements ConflictResolver {
  readonly name = 'keep-all';
  private counter = 0;
  stamp(writer: NodeId, context: CausalContext | undefined, _local: readonly Sibling[], _now: number): Version {
    const id = `${writer}:${++this.counter}`;
    return asVersion(Buffer.from(context === undefined || context.length === 0 ? id : `${id}>${Buffer.from(context).toString()}`));
  }
  merge(stored: readonly Sibling[], incoming: readonly Sibling[]): Sibling[] {
    const all = new Map<string, Sibling>();
    for (const s of [...stored, ...incoming]) all.set(Buffer.from(s.version).toString(), s);
    const superseded = new Set([...all.keys()].flatMap((v) => (v.split('>')[1] ?? '').split(',')));
    return [...all.entries()]
      .filter(([v]) => !superseded.has(idOf(v)))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, s]) => s);
  }
  context(siblings: readonly Sibling[]): CausalContext {
    return asCausalContext(Buffer.from(siblings.map((s) => idOf(Buffer.from(s.version).toString())).join(',')));
  }
  descends(context: CausalContext, siblings: readonly Sibling[]): boolean {
    const seen = new Set(Buffer.from(context).toString().split(','));
    return siblings.every((s) => seen.has(idOf(Buffer.from(s.version).toString())));
  }
  validate(): void {}
  validateContext(): void {}
}

const idOf = (version: string): string => version.split('>')[0]!;

const keepAll = definePlugin({
  name: 'test/keep-all-resolver',
  version: '1.0.0',
  core: '^0.1.0',
  provides: ['ConflictResolver'],
  needs: [],
  register: ({ bind }) => {
    bind(ConflictResolverToken).toConstantValue(new KeepAllResolver());
  },
});

const GRACE = 60_000;

async function startNode(): Promise<{ node: DynamisNode; sim: Simulation }> {
  const sim = new Simulation({ seed: 1, nodes: ['n1'] });
  const node = await createNode({ nodeId: 'n1', log: { level: 'silent' }, tombstones: { graceMs: GRACE } }, [
    simulatedEnvironment(sim, 'n1', { transport: false }),
    memoryEngine(),
    keepAll,
    localCoordinator(),
  ]);
  await node.start();
  return { node, sim };
}

const text = (b: Uint8Array | null | undefined): string | null => (b == null ? null : Buffer.from(b).toString());

describe('replica layer', () => {
  it('round-trips sibling records through the engine', async () => {
    const { node } = await startNode();
    const replica = node.resolve(ReplicaToken);
    const a: Sibling = { version: asVersion(Buffer.from('x:1')), value: Buffer.from('alpha'), writtenAt: 10 };
    const b: Sibling = { version: asVersion(Buffer.from('y:1')), value: Buffer.from('beta'), writtenAt: 11, expiresAt: 99_999_999_999_999 };
    const t: Sibling = { version: asVersion(Buffer.from('z:1')), value: null, writtenAt: 12 };
    await replica.apply('k', [a]);
    await replica.apply('k', [b, t]);
    const stored = await replica.read('k');
    expect(stored.map((s) => [text(s.version), text(s.value), s.writtenAt, s.expiresAt])).toEqual([
      ['x:1', 'alpha', 10, undefined],
      ['y:1', 'beta', 11, 99_999_999_999_999],
      ['z:1', null, 12, undefined],
    ]);
    // The engine holds exactly one encoded record under the data key space.
    const engine = node.resolve(StorageEngineToken);
    expect(await engine.get(replica.keyOf('k'))).toBeInstanceOf(Uint8Array);
    const read = await node.store.get('k');
    expect(read.found).toBe(true);
    expect(read.siblings.map((s) => text(s.value))).toEqual(['alpha', 'beta']);
    await node.stop();
  });

  it('keeps concurrent writes as siblings and a write with the read context supersedes them in the context', async () => {
    const { node } = await startNode();
    await node.store.put('k', Buffer.from('one'));
    await node.store.put('k', Buffer.from('two'));
    const read = await node.store.get('k');
    expect(read.siblings.map((s) => text(s.value)).sort()).toEqual(['one', 'two']);
    await node.store.put('k', Buffer.from('merged'), { context: read.context });
    expect((await node.store.get('k')).siblings.map((s) => text(s.value))).toEqual(['merged']);
    await node.stop();
  });

  it('delete writes a tombstone: the key reads as absent but the record stays until the grace period', async () => {
    const { node, sim } = await startNode();
    const replica = node.resolve(ReplicaToken);
    const engine = node.resolve(StorageEngineToken);
    await node.store.put('gone', Buffer.from('v'));
    const { context } = await node.store.get('gone');
    await node.store.delete('gone', { context });
    expect((await node.store.get('gone')).found).toBe(false);
    expect((await replica.read('gone')).some((s) => s.value === null)).toBe(true);
    await engine.compactRange();
    expect(await engine.get(replica.keyOf('gone'))).toBeDefined(); // within grace: kept
    await sim.runFor(GRACE + 1);
    await engine.compactRange();
    expect(await engine.get(replica.keyOf('gone'))).toBeUndefined(); // purged
    await node.stop();
  });

  it('TTL: a value disappears from reads when its time passes on the virtual clock, and from the engine after the grace', async () => {
    const { node, sim } = await startNode();
    const replica = node.resolve(ReplicaToken);
    const engine = node.resolve(StorageEngineToken);
    await node.store.put('session', Buffer.from('s'), { ttlMs: 5_000 });
    await sim.runFor(4_999);
    expect((await node.store.get('session')).found).toBe(true);
    await sim.runFor(1);
    expect((await node.store.get('session')).found).toBe(false);
    await engine.compactRange();
    expect(await engine.get(replica.keyOf('session'))).toBeDefined();
    await sim.runFor(GRACE);
    await engine.compactRange();
    expect(await engine.get(replica.keyOf('session'))).toBeUndefined();
    await node.stop();
  });

  it('compaction drops only the purgeable siblings of a record and leaves other key spaces alone', async () => {
    const { node, sim } = await startNode();
    const replica = node.resolve(ReplicaToken);
    const engine = node.resolve(StorageEngineToken);
    const now = sim.clock('n1').now();
    await replica.apply('mixed', [
      { version: asVersion(Buffer.from('a:1')), value: Buffer.from('live'), writtenAt: now },
      { version: asVersion(Buffer.from('b:1')), value: null, writtenAt: now - GRACE - 1 },
    ]);
    const hintKey = Uint8Array.of(0x68, 1, 2, 3);
    await engine.put(hintKey, Uint8Array.of(0xff));
    await engine.compactRange();
    expect((await replica.read('mixed')).map((s) => text(s.version))).toEqual(['a:1']);
    expect(await engine.get(hintKey)).toEqual(Uint8Array.of(0xff));
    expect(node.resolve(ConfigToken).tombstones.graceMs).toBe(GRACE);
    await node.stop();
  });

  it('serializes concurrent writes to one key so no sibling is lost', async () => {
    const { node } = await startNode();
    await Promise.all(Array.from({ length: 50 }, (_, i) => node.store.put('hot', Buffer.from(String(i)))));
    const read = await node.store.get('hot');
    expect(read.siblings).toHaveLength(50);
    await node.stop();
  });

  it('update with a partition outside [0, Q) rejects INVALID_ARGUMENT (a rejection, not a throw) and writes nothing', async () => {
    const { node } = await startNode();
    const replica = node.resolve(ReplicaToken);
    const sibling: Sibling = { version: asVersion(Buffer.from('x:1')), value: Buffer.from('alpha'), writtenAt: 10 };
    let pending: Promise<Sibling[]> | undefined;
    expect(() => (pending = replica.update('k', () => [sibling], replica.partitionCount))).not.toThrow();
    await expect(pending).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await replica.read('k')).toEqual([]);
    await node.stop();
  });
});
