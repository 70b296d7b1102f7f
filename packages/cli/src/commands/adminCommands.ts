import type { Command } from 'commander';
import type { AdminStatus } from '@dynamis/core';
import { askStatus, type NodeAnswer } from '../adminRequest';
import { resolveTarget } from '../connection';
import { EXIT } from '../exitCodes';
import { table } from '../format';
import type { Io } from '../io';
import { connectionOptions, withConnectionOptions } from './connectionOptions';

type Run = (work: () => Promise<number>) => Promise<void>;

/**
 * `dynamis status` (every node's own view, one row per node asked) and
 * `dynamis members` (the member list of the first node that answers), as
 * tables or, with --json, one JSON object on stdout (README "Output").
 */
export function addAdminCommands(program: Command, io: Io, run: Run): void {
  withConnectionOptions(
    program
      .command('status')
      .description('each node: members up, partitions, keys, bytes, pending hints (exit 0 all answered, 3 some did not)')
      .option('--json', 'print {"nodes":[{address,reachable,status|error}]} as JSON'),
  ).action((opts: Record<string, unknown>) =>
    run(async () => {
      const answers = await askStatus(resolveTarget(connectionOptions(opts), io.cwd, io.env));
      io.out(opts.json ? `${JSON.stringify({ nodes: answers })}\n` : statusTable(answers));
      return answers.every((a) => a.reachable) ? EXIT.ok : EXIT.error;
    }),
  );

  withConnectionOptions(
    program
      .command('members')
      .description('the cluster members and their status, as the first node that answers sees them (exit 0, or 3 if none answers)')
      .option('--json', 'print {"from","members":[{id,address,status}]} as JSON'),
  ).action((opts: Record<string, unknown>) =>
    run(async () => {
      const answers = await askStatus(resolveTarget(connectionOptions(opts), io.cwd, io.env));
      const first = answers.find((a) => a.reachable);
      if (first === undefined || !first.reachable) {
        for (const a of answers) if (!a.reachable) io.err(`error ${a.error.code}: ${a.address}: ${a.error.message}\n`);
        return EXIT.error;
      }
      const { nodeId, members } = first.status;
      if (opts.json) io.out(`${JSON.stringify({ from: nodeId, members })}\n`);
      else
        io.out(
          table(
            ['ID', 'ADDRESS', 'STATUS'],
            members.map((m) => [m.id, m.address, m.status]),
          ),
        );
      return EXIT.ok;
    }),
  );
}

function statusTable(answers: readonly NodeAnswer[]): string {
  const rows = answers.map((a) => {
    if (!a.reachable) return ['?', a.address, `unreachable (${a.error.code})`, '', '', '', '', '', ''];
    const s = a.status;
    const up = s.members.filter((m) => m.status === 'up').length;
    const partitions = s.partitions === undefined ? '-' : `${s.partitions.owned}/${s.partitions.replicated}/${s.partitions.total}`;
    const keys = s.engine?.counters.keys;
    return [
      s.nodeId,
      a.address,
      'up',
      `${up}/${s.members.length}`,
      partitions,
      keys === undefined ? '-' : String(keys),
      s.engine === undefined ? '-' : String(s.engine.approximateBytes),
      s.hints === undefined ? '-' : String(s.hints.total),
      rebalanceCell(s.rebalance),
    ];
  });
  return table(['NODE', 'ADDRESS', 'STATE', 'MEMBERS UP', 'PARTITIONS OWNED/REPLICA/TOTAL', 'KEYS', 'BYTES', 'HINTS', 'REBALANCE'], rows);
}

/** `settled`, or what is left: partitions to receive (streaming now), to drop, the stream rate and the ETA. */
export function rebalanceCell(r: AdminStatus['rebalance']): string {
  if (r === undefined) return '-';
  if (r.settled && r.pending + r.streaming + r.toDrop === 0) return 'settled';
  const rate = r.bytesPerSecond > 0 ? ` ${(r.bytesPerSecond / 1e6).toFixed(1)} MB/s` : '';
  const eta = r.etaSeconds !== undefined ? ` eta ${r.etaSeconds}s` : '';
  return `${r.pending + r.streaming} to receive (${r.streaming} streaming), ${r.toDrop} to drop${rate}${eta}`;
}
