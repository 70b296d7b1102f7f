import { describe, expect, it } from '@jest/globals';
import { vclockResolver } from '@dynamis/conflict-vclock';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  ConflictResolverToken,
  createNode,
  partitionOfKey,
  ReplicaToken,
  StorageEngineToken,
  type DynamisNode,
  type ReplicaPurges,
  type Sibling,
  type Version,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { ringPartitioner } from '@dynamis/ring';
import { Simulation, simulatedEnvironment } from '@dynamis/testkit';

const GRACE = 60_000;
const Q = 16;

async function startNode(): Promise<{ node: DynamisNode; sim: Simulation }> {
  const sim = new Simulation({ seed: 3, nodes: ['n1'] });
  const node = await createNode({ nodeId: 'n1', log: { level: 'silent' }, tombstones: { graceMs: GRACE } }, [
    simulatedEnvironment(sim, 'n1', { transport: false }),
    memoryEngine(),
    vclockResolver(),
    localCoordinator(),
    ringPartitioner({ partitions: Q }),
  ]);
  await node.start();
  return { node, sim };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * Writes one sibling to `key` through the replica's update path, stamped
 * concurrent with what is stored (no context: vclock keeps both); returns its version.
 */
async function write(node: DynamisNode, key: string, value: string | null, writtenAt: number, expiresAt?: number): Promise<Version> {
  let version: Version | undefined;
  await node.resolve(ReplicaToken).update(key, (stored) => {
    version = node.resolve(ConflictResolverToken).stamp('n1', undefined, stored, writtenAt);
    const sibling: Sibling = { version, value: value === null ? null : Buffer.from(value), writtenAt };
    return [expiresAt === undefined ? sibling : { ...sibling, expiresAt }];
  });
  return version!;
}

describe('Replica.onPurged', () => {
  it('tells listeners which records and which versions compaction purged, once the engine applied it', async () => {
    const { node, sim } = await startNode();
    const replica = node.resolve(ReplicaToken);
    const engine = node.resolve(StorageEngineToken);
    const t0 = sim.clock('n1').now();
    const seen: ReplicaPurges[] = [];
    replica.onPurged((p) => seen.push(p));
    // Written straight through the replica's update path (versions it is given, not stamped).
    const gone = await write(node, 'gone', null, t0);
    const live = await write(node, 'mixed', 'x', t0);
    const expired = await write(node, 'mixed', 'y', t0, t0 + 1000);
    await write(node, 'kept', 'z', t0);
    expect(await replica.read('mixed')).toHaveLength(2);
    await engine.compactRange();
    expect(seen).toEqual([]); // within the grace: nothing purged, nothing reported
    await sim.runFor(GRACE + 1000);
    await engine.compactRange();
    const records = seen.flatMap((p) => p.records);
    expect(records.map((r) => [r.key, r.partition, r.versions.map(hex), r.removed])).toEqual(
      [
        ['gone', partitionOfKey('gone', Q), [hex(gone)], true],
        ['mixed', partitionOfKey('mixed', Q), [hex(expired)], false],
      ].sort((a, b) => (a[1] as number) - (b[1] as number)),
    );
    expect(seen.every((p) => p.unlisted === undefined)).toBe(true);
    expect(await replica.read('gone')).toEqual([]);
    expect((await replica.read('mixed')).map((s) => hex(s.version))).toEqual([hex(live)]);
    await node.stop();
  });

  it('a throwing listener cannot fail the compaction: the purge stands, the failure is counted, other listeners run', async () => {
    const { node, sim } = await startNode();
    const replica = node.resolve(ReplicaToken);
    const engine = node.resolve(StorageEngineToken);
    const seen: string[] = [];
    replica.onPurged(() => {
      throw new Error('listener bug');
    });
    const off = replica.onPurged((p) => seen.push(...p.records.map((r) => r.key)));
    await write(node, 'a', null, sim.clock('n1').now());
    await sim.runFor(GRACE + 1);
    await expect(engine.compactRange()).resolves.toBeUndefined();
    expect(seen).toEqual(['a']);
    expect(replica.listenerFailures).toBe(1);
    expect(await replica.read('a')).toEqual([]);
    off();
    await write(node, 'b', null, sim.clock('n1').now());
    await sim.runFor(GRACE + 1);
    await engine.compactRange();
    expect(seen).toEqual(['a']);
    expect(replica.listenerFailures).toBe(2);
    expect(engine.stats().counters.purgeListenerFailures).toBe(0); // the replica caught it; the engine saw no failure
    await node.stop();
  });
});
