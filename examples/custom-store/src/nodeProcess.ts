import { MembershipToken, type DynamisNode } from '@dynamis/core';
import { allUp, describeMembers } from './members';
import { startStoreNode, type StoreNodeOptions } from './storeNode';

/**
 * Runs one node in this process until SIGTERM or SIGINT (or, when it has
 * an IPC channel to its parent, until that closes), printing one line
 * per event on stdout: `ready <id> <address>`, `members <view>` each time a member
 * joins or comes up and the view has `expected` members all up, and `stopped <id>` after a clean stop.
 */
export async function runNodeProcess(options: StoreNodeOptions, expected: number, print: (line: string) => void): Promise<void> {
  const node: DynamisNode = await startStoreNode(options);
  print(`ready ${options.id} ws://127.0.0.1:${options.port}`);
  const membership = node.resolve(MembershipToken);
  const report = (): void => {
    if (allUp(node, expected)) print(`members ${describeMembers(node)}`);
  };
  for (const event of ['joined', 'up'] as const) membership.on(event, report);
  report();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
    // Spawned with an IPC channel (by `processes`): the parent's death closes it, so no node outlives it.
    if (process.connected) process.once('disconnect', resolve);
  });
  await node.stop();
  print(`stopped ${options.id}`);
  if (process.connected) process.disconnect(); // an open IPC channel would keep this process alive
}
