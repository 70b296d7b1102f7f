import { ADMIN_MESSAGE, ADMIN_REPLY, adminLeaveReplySchema, DynamisError, SystemClock, type AdminStatus } from '@dynamis/core';
import type { Command } from 'commander';
import { askStatus } from '../adminRequest';
import { resolveTarget, type Target } from '../connection';
import { EXIT } from '../exitCodes';
import type { Io } from '../io';
import { adminCall } from './adminCall';
import { connectionOptions, withConnectionOptions } from './connectionOptions';

type Run = (work: () => Promise<number>) => Promise<void>;

/** How often `leave` asks the leaving node how far it is. */
const POLL_MS = 1000;

/**
 * `dynamis leave <node-id>`: finds the node among the target's nodes (by the
 * id its status reports), sends it `client.admin.leave` naming it, then —
 * unless --no-wait — prints its hand-off progress every second until it
 * reports `left` or stops answering (a node that handed off exits by
 * itself). Exit 0 once it left (or stopped answering after the hand-off
 * began), 2 when no node of the cluster has that id, 3 when it refused or
 * could not be reached. Ctrl-C stops waiting, not the leave.
 */
export function addLeaveCommand(program: Command, io: Io, run: Run): void {
  withConnectionOptions(
    program
      .command('leave')
      .description('remove a node for good: it hands its partitions off, then exits (exit 0 left, 2 no such node, 3 error)')
      .argument('<node-id>', 'the node that leaves (as `dynamis status` names it)')
      .option('--no-wait', 'return once the leave started, without waiting for the hand-off')
      .option('--json', 'print {"nodeId","departure"} as JSON when done'),
  ).action((nodeId: string, opts: Record<string, unknown>) =>
    run(async () => {
      const target = resolveTarget(connectionOptions(opts), io.cwd, io.env);
      const address = await findNode(target, nodeId);
      const one: Target = { ...target, nodes: [address] };
      const { reply } = await adminCall(
        one,
        { type: ADMIN_MESSAGE.leave, payload: { nodeId }, replyType: ADMIN_REPLY.leave },
        adminLeaveReplySchema,
      );
      let departure: string = reply.departure;
      if (opts.wait !== false) {
        io.err(`${nodeId}: ${departure}\n`);
        const clock = new SystemClock();
        for (;;) {
          if (departure === 'left') break;
          await clock.sleep(POLL_MS);
          const [answer] = await askStatus(one);
          if (answer === undefined || !answer.reachable) {
            departure = 'left';
            io.err(`${nodeId}: stopped answering (a node that handed its partitions off exits by itself)\n`);
            break;
          }
          departure = answer.status.departure ?? 'member';
          io.err(`${nodeId}: ${departure}${progress(answer.status)}\n`);
        }
      }
      io.out(opts.json ? `${JSON.stringify({ nodeId, departure })}\n` : `${nodeId} ${departure}\n`);
      return EXIT.ok;
    }),
  );
}

/** The address of the node whose status says it is `nodeId`. INVALID_ARGUMENT if none is; UNAVAILABLE if it may be one that did not answer. */
async function findNode(target: Target, nodeId: string): Promise<string> {
  const answers = await askStatus(target);
  for (const a of answers) if (a.reachable && a.status.nodeId === nodeId) return a.address;
  const silent = answers.filter((a) => !a.reachable).map((a) => a.address);
  if (silent.length > 0) {
    throw new DynamisError('UNAVAILABLE', `no answering node is ${nodeId}; these did not answer: ${silent.join(', ')}`);
  }
  throw new DynamisError(
    'INVALID_ARGUMENT',
    `no node of the cluster is ${nodeId} (nodes: ${answers.map((a) => (a.reachable ? a.status.nodeId : '?')).join(', ')})`,
  );
}

function progress(s: AdminStatus): string {
  const r = s.rebalance;
  if (r === undefined) return '';
  const eta = r.etaSeconds !== undefined ? `, eta ${r.etaSeconds}s` : '';
  return ` (${r.toDrop} partitions to hand over, ${r.settled ? 'settled' : 'not settled'}${eta})`;
}
