import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, type DynamisConfigInput, type DynamisNode } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';

/**
 * A single node assembled from three plugins: an in-memory engine,
 * last-write-wins versions and the single-node coordinator. Started and ready.
 * Volatile: everything is gone when the process ends.
 */
export async function startSingleNode(config: DynamisConfigInput = {}): Promise<DynamisNode> {
  const node = await createNode(config, [memoryEngine(), lwwResolver(), localCoordinator()]);
  await node.start();
  return node;
}
