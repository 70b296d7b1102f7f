import { lwwResolver } from '@dynamis/conflict-lww';
import { vclockResolver } from '@dynamis/conflict-vclock';
import { createNode, type DynamisNode, type NodeId } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { quorumCoordinator } from '@dynamis/quorum';
import { ringPartitioner } from '@dynamis/ring';
import { FixedMembership, fixedMembership, SeededRandom, simulatedEnvironment, Simulation } from '@dynamis/testkit';

/** How concurrent writes are resolved: last-write-wins timestamps, or vector clocks keeping siblings. */
export type ConflictStrategy = 'lww' | 'vclock';

export interface ConflictWorkload {
  /** Seed of the simulation and of the workload's choices. */
  readonly seed: number;
  /** Rounds; each is 5 operations at most (read, two concurrent writes, read, and a reconciling write when needed). */
  readonly rounds: number;
  /** Distinct keys the rounds pick from. */
  readonly keys: number;
}

export interface ConflictRow {
  readonly strategy: ConflictStrategy;
  readonly ops: number;
  /** Writes acknowledged by W replicas. */
  readonly acknowledgedWrites: number;
  /** Reads that returned more than one sibling. */
  readonly readsWithSiblings: number;
  readonly maxSiblings: number;
  /** Acknowledged concurrent writes whose value the next quorum read no longer returns (overwritten without anyone seeing it). */
  readonly lostWrites: number;
}

const IDS: readonly NodeId[] = ['n1', 'n2', 'n3'];

/**
 * Runs the workload on three simulated nodes (quorum N=3 W=2 R=2, ring,
 * memory engine) with `strategy`'s resolver. Each round reads a key, then
 * two clients on different nodes write it at the same virtual instant, both
 * with the context of that read (so neither saw the other), then a third
 * node reads it; a client that gets siblings writes their merge back with
 * the read's context, as the vector-clock contract asks. Deterministic for
 * a seed.
 */
export async function runConflictWorkload(strategy: ConflictStrategy, w: ConflictWorkload): Promise<ConflictRow> {
  const sim = new Simulation({ seed: w.seed, nodes: IDS });
  const members = IDS.map((id) => ({ id, address: id, status: 'up' as const }));
  const nodes: DynamisNode[] = [];
  for (const id of IDS) {
    const node = await createNode({ nodeId: id, log: { level: 'silent' }, replication: { n: 3, w: 2, r: 2, sloppyQuorum: false } }, [
      simulatedEnvironment(sim, id),
      memoryEngine(),
      strategy === 'lww' ? lwwResolver() : vclockResolver(),
      ringPartitioner({ partitions: 16 }),
      fixedMembership(new FixedMembership(id, members)),
      quorumCoordinator(),
    ]);
    await sim.settle(node.start());
    nodes.push(node);
  }
  const random = new SeededRandom(w.seed).fork('workload');
  const row = { strategy, ops: 0, acknowledgedWrites: 0, readsWithSiblings: 0, maxSiblings: 0, lostWrites: 0 };
  const text = (v: Uint8Array | null): string => Buffer.from(v ?? []).toString();
  for (let round = 0; round < w.rounds; round++) {
    const key = `k${random.int(w.keys)}`;
    const first = random.int(3);
    const [a, b, reader] = [nodes[first]!, nodes[(first + 1) % 3]!, nodes[(first + 2) % 3]!];
    const before = await sim.settle(a.store.get(key));
    const values = [`r${round}-a`, `r${round}-b`];
    await sim.settle(
      Promise.all([
        a.store.put(key, Buffer.from(values[0]!), { context: before.context }),
        b.store.put(key, Buffer.from(values[1]!), { context: before.context }),
      ]),
    );
    const after = await sim.settle(reader.store.get(key));
    row.ops += 4;
    row.acknowledgedWrites += 2;
    const seen = after.siblings.map((s) => text(s.value));
    row.lostWrites += values.filter((v) => !seen.includes(v)).length;
    row.maxSiblings = Math.max(row.maxSiblings, after.siblings.length);
    if (after.siblings.length > 1) {
      row.readsWithSiblings++;
      await sim.settle(reader.store.put(key, Buffer.from(seen.sort().join('+')), { context: after.context }));
      row.ops++;
      row.acknowledgedWrites++;
    }
  }
  for (const node of nodes) await sim.settle(node.stop());
  return row;
}
