import type { CompactionRow } from './compaction';
import type { ConflictRow } from './conflicts';

/** A Markdown table: a header row, a separator, one row per entry. */
function markdown(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The conflict-resolution comparison, one row per strategy. */
export function conflictTable(rows: readonly ConflictRow[]): string {
  return markdown(
    ['resolver', 'ops', 'acknowledged writes', 'reads with siblings', 'max siblings', 'lost writes'],
    rows.map((r) => [r.strategy, `${r.ops}`, `${r.acknowledgedWrites}`, `${r.readsWithSiblings}`, `${r.maxSiblings}`, `${r.lostWrites}`]),
  );
}

/** The compaction comparison, one row per strategy (amplification with two decimals). */
export function compactionTable(rows: readonly CompactionRow[]): string {
  return markdown(
    ['compaction', 'puts', 'user bytes', 'write amplification', 'space amplification', 'compactions'],
    rows.map((r) => [
      r.strategy,
      `${r.ops}`,
      `${r.userBytes}`,
      r.writeAmplification.toFixed(2),
      r.spaceAmplification.toFixed(2),
      `${r.compactions}`,
    ]),
  );
}
