import type { RealRunOptions, RealRunResult } from './runRealChaos';
import { describeEvent } from './schedule';

/** A Markdown report of a run: the command, the setup, the schedule, the counts and each checker's verdict with examples. */
export function formatReport(result: RealRunResult, options: RealRunOptions, command: string, startedIso: string): string {
  const lines: string[] = [];
  lines.push(`# Real-process chaos run, ${startedIso.slice(0, 10)}`, '');
  lines.push('```sh', command, '```', '');
  lines.push(`- started: ${startedIso}`);
  lines.push(`- seed: ${result.seed}; load: ${Math.round(options.loadMs / 1000)} s; nodes: ${options.nodes}`);
  lines.push(
    `- each node: \`dynamis-server\` in its own network namespace (10.77.k.i/24, veth to a bridge), engine-lsm,` +
      ` gossip + hinted handoff + anti-entropy, N=3 W=2 R=2 ${options.sloppyQuorum === true ? 'sloppy' : 'strict'} quorum, 16 partitions`,
  );
  const w = options.workload;
  lines.push(
    `- load: ${w.processes} client processes x ${w.keysPerProcess} keys (one writer per key), put 60 % / get R=2 25 % / delete 15 %,` +
      ` ${w.thinkMs} ms between ops, settle ${w.settleAfterInfoMs} ms after an unknown outcome`,
  );
  if (result.skipped !== undefined) {
    lines.push('', `**Skipped**: ${result.skipped}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push('', '## Faults (seeded)', '');
  for (const e of result.schedule) lines.push(`- ${describeEvent(e)}`);
  if (result.schedule.length === 0) lines.push('- none');
  const c = result.counts!;
  lines.push('', '## Operations', '');
  const rows = [['op', 'ok', 'fail', 'info (unknown)']];
  for (const [f, n] of Object.entries(c.byFunction)) rows.push([f, String(n.ok), String(n.fail), String(n.info)]);
  rows.push([`all (${c.invoked} invoked)`, String(c.ok), String(c.fail), String(c.info)]);
  lines.push(...table(rows));
  lines.push('', `Keys touched: ${result.keys}.`);
  lines.push(
    result.convergedAfterMs === undefined
      ? 'Replicas did **not** converge within the bound.'
      : `Replicas converged ${(result.convergedAfterMs / 1000).toFixed(1)} s after healing (hints delivered, anti-entropy).`,
  );
  lines.push('', '## Checkers', '');
  for (const v of result.verdicts) {
    const label = v.ok ? 'PASS' : v.informational === true ? 'NOTE (not a guarantee here)' : 'FAIL';
    lines.push(`- **${label}** ${v.name}: ${v.checked} checked${v.ok ? '' : `, ${v.count} bad`}`);
    for (const p of v.problems) lines.push(`  - \`${p}\``);
  }
  if (result.notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const n of result.notes) lines.push(`- ${n}`);
  }
  lines.push('', `Verdict: **${result.ok ? 'PASS' : 'FAIL'}**`);
  return `${lines.join('\n')}\n`;
}

/** A Markdown table with its columns padded as prettier pads them (so a committed report passes `npm run lint`). */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(3, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)];
}
