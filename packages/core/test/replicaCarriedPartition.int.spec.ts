import { afterEach, describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  ClockToken,
  ConflictResolverToken,
  createNode,
  dataKey,
  isDataKey,
  partitionOfKey,
  ReplicaClientToken,
  ReplicaToken,
  StorageEngineToken,
  type DynamisNode,
  type NodeId,
  type PartitionId,
  type Sibling,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { ringPartitioner } from '@dynamis/ring';
import { Simulation, simulatedEnvironment } from '@dynamis/testkit';

const Q = 16;
const running: DynamisNode[] = [];
afterEach(async () => {
  for (const node of running.splice(0)) await node.stop();
});

async function cluster(ids: NodeId[]) {
  const sim = new Simulation({ seed: 33, nodes: ids });
  const nodes = new Map<NodeId, DynamisNode>();
  for (const id of ids) {
    const node = await createNode({ nodeId: id, log: { level: 'silent' } }, [
      simulatedEnvironment(sim, id),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
      ringPartitioner({ partitions: Q }),
    ]);
    await node.start();
    running.push(node);
    nodes.set(id, node);
  }
  const run = <T>(p: Promise<T>): Promise<T> => sim.settle(p, 60_000);
  return { node: (id: NodeId) => nodes.get(id)!, run };
}

function stamped(node: DynamisNode, value: string): Sibling {
  const now = node.resolve(ClockToken).now();
  const version = node.resolve(ConflictResolverToken).stamp(node.config.nodeId, undefined, [], now);
  return { version, value: Buffer.from(value), writtenAt: now };
}

/** The data keys `node`'s engine holds, as hex. */
async function storedKeys(node: DynamisNode): Promise<string[]> {
  const out: string[] = [];
  for await (const [k] of node.resolve(StorageEngineToken).iterator()) if (isDataKey(k)) out.push(Buffer.from(k).toString('hex'));
  return out;
}

const hex = (p: PartitionId, key: string): string => Buffer.from(dataKey(p, key)).toString('hex');

describe('a partition carried in replica frames', () => {
  it('is used as sent: the replica files and finds the key there without hashing it', async () => {
    const { node, run } = await cluster(['n1', 'n2']);
    const client = node('n1').resolve(ReplicaClientToken);
    const own = partitionOfKey('k', Q);
    // Not the key's own partition, so that where the record lands shows which partition the replica used.
    const sent = (own + 5) % Q;
    await run(client.write('n2', 'k', [stamped(node('n1'), 'v')], {}, sent));
    expect(await storedKeys(node('n2'))).toEqual([hex(sent, 'k')]);
    expect(await run(client.read('n2', 'k', {}, sent))).toHaveLength(1);
    expect(await run(client.read('n2', 'k'))).toEqual([]); // hashed: the key's own partition, where nothing is
    expect((await run(client.readBatch('n2', ['k', 'k'], {}, [sent, own]))).map((r) => r.length)).toEqual([1, 0]);
    await run(client.writeBatch('n2', [{ key: 'j', siblings: [stamped(node('n1'), 'w')], partition: 3 }]));
    expect(await storedKeys(node('n2'))).toContain(hex(3, 'j'));
  });

  it('reports the partition it stored a write in to onApplied listeners', async () => {
    const { node, run } = await cluster(['n1', 'n2']);
    const seen: Array<[string, PartitionId]> = [];
    node('n2')
      .resolve(ReplicaToken)
      .onApplied((key, _s, partition) => seen.push([key, partition]));
    const client = node('n1').resolve(ReplicaClientToken);
    await run(client.write('n2', 'a', [stamped(node('n1'), 'v')], {}, 7));
    await run(client.write('n2', 'b', [stamped(node('n1'), 'v')]));
    await run(client.writeBatch('n2', [{ key: 'c', siblings: [stamped(node('n1'), 'v')], partition: 9 }]));
    expect(seen).toEqual([
      ['a', 7],
      ['b', partitionOfKey('b', Q)],
      ['c', 9],
    ]);
  });

  it('outside [0, Q) is refused INVALID_ARGUMENT and nothing is written; malformed is PROTOCOL_ERROR', async () => {
    const { node, run } = await cluster(['n1', 'n2']);
    const client = node('n1').resolve(ReplicaClientToken);
    const s = stamped(node('n1'), 'v');
    const code = (p: Promise<unknown>) =>
      run(p).then(
        () => 'resolved',
        (err: { code?: string }) => err.code,
      );
    expect(await code(client.write('n2', 'k', [s], {}, Q))).toBe('INVALID_ARGUMENT');
    expect(await code(client.read('n2', 'k', {}, Q))).toBe('INVALID_ARGUMENT');
    expect(await code(client.readBatch('n2', ['k'], {}, [0, 1]))).toBe('INVALID_ARGUMENT'); // not one per key
    expect(await code(client.readBatch('n2', ['k', 'j'], {}, [0, Q]))).toBe('INVALID_ARGUMENT');
    const good = { key: 'g', siblings: [s], partition: 1 };
    expect(await code(client.writeBatch('n2', [good, { key: 'b', siblings: [s], partition: Q + 1 }]))).toBe('INVALID_ARGUMENT');
    expect(await code(client.write('n2', 'k', [s], {}, -1))).toBe('PROTOCOL_ERROR');
    expect(await code(client.write('n2', 'k', [s], {}, 1.5))).toBe('PROTOCOL_ERROR');
    expect(await storedKeys(node('n2'))).toEqual([]); // a whole batch refused, not half written
    expect(await code(client.write('n1', 'k', [s], {}, Q))).toBe('INVALID_ARGUMENT'); // served locally: the same rule
  });
});
