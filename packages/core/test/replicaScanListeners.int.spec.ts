import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { ClockToken, ConflictResolverToken, createNode, dataKey, ReplicaToken, StorageEngineToken, type DynamisNode } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { Simulation, simulatedEnvironment } from '@dynamis/testkit';

async function node(): Promise<DynamisNode> {
  const sim = new Simulation({ seed: 5, nodes: ['n1'] });
  const n = await createNode({ nodeId: 'n1', log: { level: 'silent' } }, [
    simulatedEnvironment(sim, 'n1', { transport: false }),
    memoryEngine(),
    lwwResolver(),
    localCoordinator(),
  ]);
  await n.start();
  return n;
}

function sibling(n: DynamisNode, value: string) {
  const now = n.resolve(ClockToken).now();
  return { version: n.resolve(ConflictResolverToken).stamp('n1', undefined, [], now), value: Buffer.from(value), writtenAt: now };
}

async function keys(it: AsyncIterable<[string, unknown]>): Promise<string[]> {
  const out: string[] = [];
  for await (const [k] of it) out.push(k);
  return out;
}

describe('Replica.scan of one key range (one partition: a node without a Partitioner has Q = 1)', () => {
  it('returns exactly the records in [gte, lt) and reads nothing outside them', async () => {
    const n = await node();
    const replica = n.resolve(ReplicaToken);
    for (const k of ['a', 'b', 'bb', 'c', 'd', 'é']) await replica.apply(k, [sibling(n, k)]);
    expect(await keys(replica.scan({ gte: 'b', lt: 'd' }))).toEqual(['b', 'bb', 'c']);
    expect(await keys(replica.scan({ gte: 'd' }))).toEqual(['d', 'é']);
    expect(await keys(replica.scan({ lt: 'b' }))).toEqual(['a']);
    expect(await keys(replica.scan())).toEqual(['a', 'b', 'bb', 'c', 'd', 'é']);
    // A corrupt record outside the range is never read: the range scan works, a full scan reports CORRUPTION.
    await n.resolve(StorageEngineToken).put(dataKey(0, 'zz'), Uint8Array.of(99));
    expect(await keys(replica.scan({ gte: 'a', lt: 'z' }))).toEqual(['a', 'b', 'bb', 'c', 'd']); // 'é' sorts after 'z' in UTF-8
    await expect(keys(replica.scan())).rejects.toMatchObject({ code: 'CORRUPTION' });
    await n.stop();
  });
});

describe('Replica.onApplied listeners', () => {
  it('a throwing listener does not fail a durable write: the write resolves, the failure is counted, other listeners run', async () => {
    const n = await node();
    const replica = n.resolve(ReplicaToken);
    const seen: string[] = [];
    replica.onApplied(() => {
      throw new Error('listener bug');
    });
    const off = replica.onApplied((key, siblings) => seen.push(`${key}:${siblings.length}`));
    await expect(replica.apply('k', [sibling(n, 'v')])).resolves.toHaveLength(1);
    await expect(n.store.put('k2', Buffer.from('x'))).resolves.toMatchObject({ acks: 1 });
    await expect(n.store.batch([{ type: 'put', key: 'k3', value: Buffer.from('y') }])).resolves.toHaveLength(1);
    expect(seen).toEqual(['k:1', 'k2:1', 'k3:1']);
    expect(replica.listenerFailures).toBe(3);
    expect((await replica.read('k')).length).toBe(1);
    expect((await n.store.get('k2')).found).toBe(true);
    off();
    await replica.apply('k4', [sibling(n, 'v')]);
    expect(seen).toHaveLength(3);
    expect(replica.listenerFailures).toBe(4);
    await n.stop();
  });
});
