import { ADMIN_MESSAGE, ADMIN_REPLY, adminRepairSchema, adminRingSchema } from '@dynamis/core';
import type { Command } from 'commander';
import { askStatus } from '../adminRequest';
import { resolveTarget } from '../connection';
import { EXIT } from '../exitCodes';
import { parseCount, table } from '../format';
import type { Io } from '../io';
import { adminCall } from './adminCall';
import { connectionOptions, withConnectionOptions } from './connectionOptions';

type Run = (work: () => Promise<number>) => Promise<void>;

/** How long `repair` waits for its round when --timeout-ms is not given (a round exchanges every partition with every peer). */
export const REPAIR_DEFAULT_TIMEOUT_MS = 300_000;

/**
 * `dynamis ring` (the partition → preference list table of the first node
 * that answers), `dynamis hints` (pending hinted-handoff hints per target,
 * as each node holds them) and `dynamis repair` (one anti-entropy round run
 * now by the first node that answers, and what it repaired). Tables by
 * default, one JSON object with --json (README "Output").
 */
export function addOpsCommands(program: Command, io: Io, run: Run): void {
  withConnectionOptions(
    program
      .command('ring')
      .description('every partition and its replicas in preference order, as the first node that answers places them (exit 0, 3 error)')
      .option('--json', 'print {"from","placementHash","partitionCount","n","partitions":[{id,replicas}]} as JSON'),
  ).action((opts: Record<string, unknown>) =>
    run(async () => {
      const target = resolveTarget(connectionOptions(opts), io.cwd, io.env);
      const { reply: ring } = await adminCall(
        target,
        { type: ADMIN_MESSAGE.ring, payload: {}, replyType: ADMIN_REPLY.ring },
        adminRingSchema,
      );
      const partitions = ring.replicas.map((list, id) => ({ id, replicas: list.map((i) => ring.nodes[i] ?? `?${i}`) }));
      if (opts.json) {
        const { nodeId, placementHash, partitionCount, n } = ring;
        io.out(`${JSON.stringify({ from: nodeId, placementHash, partitionCount, n, partitions })}\n`);
      } else {
        io.out(
          table(
            ['PARTITION', 'REPLICAS'],
            partitions.map((p) => [String(p.id), p.replicas.join(',')]),
          ),
        );
      }
      return EXIT.ok;
    }),
  );

  withConnectionOptions(
    program
      .command('hints')
      .description('hints each node holds for down nodes, per target (exit 0 all answered, 3 some did not)')
      .option('--json', 'print {"nodes":[{address,reachable,node,handoff,pending,total} or {address,reachable:false,error}]} as JSON'),
  ).action((opts: Record<string, unknown>) =>
    run(async () => {
      const answers = await askStatus(resolveTarget(connectionOptions(opts), io.cwd, io.env));
      const nodes = answers.map((a) => {
        if (!a.reachable) return { address: a.address, reachable: false, error: a.error };
        const hints = a.status.hints;
        const base = { address: a.address, reachable: true, node: a.status.nodeId, handoff: hints !== undefined };
        return hints === undefined ? base : { ...base, pending: hints.pending, total: hints.total };
      });
      if (opts.json) io.out(`${JSON.stringify({ nodes })}\n`);
      else io.out(hintsTable(answers));
      return answers.every((a) => a.reachable) ? EXIT.ok : EXIT.error;
    }),
  );

  withConnectionOptions(
    program
      .command('repair')
      .description('make the first node that answers run an anti-entropy round now, and print what it repaired (exit 0, 3 error)')
      .option('--partition <id>', 'repair only this partition (the node must replicate it; default: every partition it replicates)')
      .option('--json', 'print {"from","exchanged","skipped","failed","keysSent","keysReceived","bytesTransferred","failures"} as JSON'),
  ).action((opts: Record<string, unknown>, cmd: Command) =>
    run(async () => {
      const payload = opts.partition === undefined ? {} : { partition: parseCount('--partition', String(opts.partition)) };
      const target = resolveTarget(connectionOptions(opts), io.cwd, io.env);
      const timeoutMs = cmd.getOptionValueSource('timeoutMs') === 'default' ? REPAIR_DEFAULT_TIMEOUT_MS : target.timeoutMs;
      const { reply: r } = await adminCall(
        target,
        { type: ADMIN_MESSAGE.repair, payload, replyType: ADMIN_REPLY.repair, timeoutMs },
        adminRepairSchema,
      );
      if (opts.json) {
        const { nodeId, ...rest } = r;
        io.out(`${JSON.stringify({ from: nodeId, ...rest })}\n`);
      } else {
        const row = [r.nodeId, r.exchanged, r.skipped, r.failed, r.keysSent, r.keysReceived, r.bytesTransferred].map(String);
        io.out(table(['NODE', 'EXCHANGES', 'SKIPPED (PEER DOWN)', 'FAILED', 'KEYS SENT', 'KEYS RECEIVED', 'BYTES'], [row]));
        for (const f of r.failures) io.err(`failed: partition ${f.partition} with ${f.peer}: ${f.code}: ${f.message}\n`);
      }
      return r.failed === 0 ? EXIT.ok : EXIT.error;
    }),
  );
}

/** The `dynamis hints` table: one row per (holder, target) with hints pending; `-` for a node holding none. */
export function hintsTable(answers: Awaited<ReturnType<typeof askStatus>>): string {
  const rows: string[][] = [];
  for (const a of answers) {
    if (!a.reachable) {
      rows.push(['?', a.address, `unreachable (${a.error.code})`, '']);
      continue;
    }
    const hints = a.status.hints;
    if (hints === undefined) {
      rows.push([a.status.nodeId, a.address, '-', 'no hinted handoff']);
      continue;
    }
    const targets = Object.entries(hints.pending).filter(([, n]) => n > 0);
    if (targets.length === 0) rows.push([a.status.nodeId, a.address, '-', '0']);
    for (const [to, n] of targets.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) rows.push([a.status.nodeId, a.address, to, String(n)]);
  }
  return table(['NODE', 'ADDRESS', 'FOR', 'PENDING'], rows);
}
