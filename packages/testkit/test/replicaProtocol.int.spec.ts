import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  ClockToken,
  ConflictResolverToken,
  createNode,
  isDynamisError,
  ReplicaClientToken,
  ReplicaToken,
  type DynamisNode,
  type NodeId,
  type Sibling,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { runSimulation, seedFromEnv, simulatedEnvironment, type Simulation } from '../src';

const IDS: NodeId[] = ['n1', 'n2', 'n3'];
const KEYS = ['a', 'b', 'c', 'd', 'e'];
const SEEDS = process.env['DYNAMIS_SEED'] === undefined ? Array.from({ length: 10 }, (_, i) => i + 1) : [seedFromEnv(0)];
const hex = (s: Sibling): string => Buffer.from(s.version).toString('hex');

/** Writes `sibling` to `to` through the replica protocol, re-sending on TIMEOUT/UNAVAILABLE (a merge is idempotent). */
async function writeUntilAcked(from: DynamisNode, to: NodeId, key: string, sibling: Sibling): Promise<void> {
  const clock = from.resolve(ClockToken);
  for (;;) {
    try {
      await from.resolve(ReplicaClientToken).write(to, key, [sibling], { timeoutMs: 100 });
      return;
    } catch (err) {
      if (!isDynamisError(err, 'TIMEOUT') && !isDynamisError(err, 'UNAVAILABLE')) throw err;
      await clock.sleep(20);
    }
  }
}

async function cluster(sim: Simulation): Promise<Map<NodeId, DynamisNode>> {
  const nodes = new Map<NodeId, DynamisNode>();
  for (const id of IDS) {
    const node = await createNode({ nodeId: id, log: { level: 'silent' } }, [
      simulatedEnvironment(sim, id),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
    ]);
    await node.start();
    nodes.set(id, node);
  }
  return nodes;
}

describe('replica protocol on a lossy simulated network', () => {
  it.each(SEEDS)('seed %i: writes from every node to every replica, re-sent until acked, leave all replicas equal to the merge', (seed) =>
    runSimulation(
      { seed, nodes: IDS, network: { dropProbability: 0.2, duplicateProbability: 0.1, reorderProbability: 0.2 } },
      async (sim) => {
        const nodes = await cluster(sim);
        const written = new Map<string, Sibling[]>(KEYS.map((k) => [k, []]));
        const work: Promise<void>[] = [];
        for (let round = 0; round < 3; round++) {
          for (const [id, node] of nodes) {
            const key = KEYS[sim.random(id).int(KEYS.length)]!;
            const now = node.resolve(ClockToken).now();
            const version = node.resolve(ConflictResolverToken).stamp(id, undefined, [], now);
            const sibling = { version, value: Buffer.from(`${id}/${round}`), writtenAt: now };
            written.get(key)!.push(sibling);
            for (const to of IDS) work.push(writeUntilAcked(node, to, key, sibling));
          }
          await sim.runFor(7);
        }
        let done = 0;
        for (const w of work) void w.then(() => done++);
        await sim.runUntil(() => done === work.length, 600_000);
        const resolver = nodes.get('n1')!.resolve(ConflictResolverToken);
        for (const key of KEYS) {
          const expected = resolver.merge([], written.get(key)!).map(hex);
          for (const [id, node] of nodes) {
            expect({ id, key, versions: (await node.resolve(ReplicaToken).read(key)).map(hex) }).toEqual({ id, key, versions: expected });
          }
        }
        for (const node of nodes.values()) await node.stop();
      },
    ),
  );
});
