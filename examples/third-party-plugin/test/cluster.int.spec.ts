import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplicaToken, StorageEngineToken, type NodeId } from '@dynamis/core';
import { IDS, LevelCluster, waitFor } from './levelCluster';

const bytes = (s: string): Uint8Array => Buffer.from(s);
const text = (b: Uint8Array | null | undefined): string | null => (b === null || b === undefined ? null : Buffer.from(b).toString());

describe('the LevelDB plugin in a 3-node cluster (quorum N=3 W=2 R=2, ring, LWW, transport-ws)', () => {
  const root = mkdtempSync(join(tmpdir(), 'dynamis-level-cluster-'));
  const cluster = new LevelCluster(root);

  /** What replica `id` itself stores for `key`: the value, null for a tombstone, undefined when it has nothing. */
  const stored = async (id: NodeId, key: string): Promise<string | null | undefined> => {
    const siblings = await cluster.node(id).resolve(ReplicaToken).read(key);
    return siblings.length === 0 ? undefined : text(siblings[0]!.value);
  };
  const onEveryReplica = (key: string, want: string | null): Promise<void> =>
    waitFor(async () => (await Promise.all(IDS.map((id) => stored(id, key)))).every((v) => v === want), `${key} = ${want} on n1, n2, n3`);

  beforeAll(async () => {
    for (const id of IDS) await cluster.start(id);
    await cluster.settled();
  }, 120_000);
  afterAll(async () => {
    await cluster.stopAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('every node stores its replicas in LevelDB', () => {
    for (const id of IDS) expect(cluster.node(id).resolve(StorageEngineToken).stats().engine).toBe('leveldb');
  });

  it('puts, reads and deletes through any node; each replica holds the value, then the tombstone', async () => {
    for (const [i, id] of IDS.entries()) {
      const w = await cluster.node(id).store.put(`user/${i}`, bytes(`ada-${i}`));
      expect(w.acks).toBeGreaterThanOrEqual(2);
      const reader = IDS[(i + 1) % IDS.length]!;
      const r = await cluster.node(reader).store.get(`user/${i}`);
      expect(r.siblings.map((s) => text(s.value))).toEqual([`ada-${i}`]);
    }
    for (const i of [0, 1, 2]) await onEveryReplica(`user/${i}`, `ada-${i}`);
    await cluster.node('n2').store.delete('user/0');
    expect((await cluster.node('n3').store.get('user/0')).found).toBe(false);
    await onEveryReplica('user/0', null);
  }, 90_000);

  it('keeps serving W=2/R=2 with one node stopped, and the restarted node reads its LevelDB directory back', async () => {
    await cluster.stop('n3');
    await cluster.node('n1').store.put('while-n3-down', bytes('yes'));
    expect(text((await cluster.node('n2').store.get('while-n3-down')).siblings[0]?.value)).toBe('yes');
    await cluster.start('n3');
    await cluster.settled();
    // n3's own replica, straight from its reopened LevelDB: written before it stopped.
    expect(await stored('n3', 'user/1')).toBe('ada-1');
    expect(await stored('n3', 'user/0')).toBeNull();
    const all = await cluster.node('n3').store.get('while-n3-down', { consistency: 'all' });
    expect(all.siblings.map((s) => text(s.value))).toEqual(['yes']);
  }, 90_000);
});
