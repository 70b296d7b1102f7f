import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from './renderHtml';
import { renderMarkdown } from './renderMarkdown';
import type { ExperimentResults } from './results';

/**
 * Writes report.md and report.html for `results` into `dir` (created if
 * needed), and results.json first when `withResults`; returns the paths
 * written, in that order. Overwrites files of those names.
 */
export function writeReports(dir: string, results: ExperimentResults, withResults: boolean): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ...(withResults ? [['results.json', `${JSON.stringify(results, null, 2)}\n`] as [string, string]] : []),
    ['report.md', renderMarkdown(results)],
    ['report.html', renderHtml(results)],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
