import { createNode, type DynamisNode, type NodeId } from '@dynamis/core';
import { simulatedEnvironment, Simulation } from '@dynamis/testkit';
import { customStore, REPLICATION } from './customStore';
import { allUp, describeMembers } from './members';

const IDS: readonly NodeId[] = ['n1', 'n2', 'n3'];

/**
 * The store on three nodes in this process, over the testkit's simulated
 * network, virtual clock and simulated disks (deterministic for a `seed`).
 * Prints what it does through `print`; rejects if a step fails.
 */
export async function runSimulated(seed: number, print: (line: string) => void): Promise<void> {
  const sim = new Simulation({ seed, nodes: IDS });
  const seeds = IDS.map((id, i) => `${id}@10.0.0.${i + 1}:7070`);
  const nodes: DynamisNode[] = [];
  for (const id of IDS) {
    const node = await createNode({ nodeId: id, seeds, replication: REPLICATION, log: { level: 'silent' } }, [
      simulatedEnvironment(sim, id),
      ...customStore('memory'),
    ]);
    await sim.settle(node.start());
    nodes.push(node);
  }
  const [n1, , n3] = nodes as [DynamisNode, DynamisNode, DynamisNode];
  await sim.runUntil(() => nodes.every((n) => allUp(n, IDS.length)), 60_000);
  print(`simulated cluster up at virtual time ${sim.now()} ms (seed ${seed})`);
  const written = await sim.settle(n1.store.put('greeting', Buffer.from('hello from the simulation')));
  print(`put greeting via n1 ok (acks ${written.acks})`);
  const read = await sim.settle(n3.store.get('greeting'));
  print(`get greeting via n3 -> ${read.siblings.map((s) => Buffer.from(s.value ?? []).toString()).join(' | ')}`);
  await sim.settle(n3.store.delete('greeting'));
  print(`del greeting via n3 ok; get via n1 -> ${(await sim.settle(n1.store.get('greeting'))).found ? 'found' : '(not found)'}`);
  print(`members (n1's view) ${describeMembers(n1)}`);
  for (const node of nodes) await sim.settle(node.stop());
  print(`stopped ${IDS.join(', ')}`);
}
