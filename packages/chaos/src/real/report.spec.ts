import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { formatReport } from './report';
import type { RealRunOptions, RealRunResult } from './runRealChaos';

const options: RealRunOptions = {
  seed: 1201,
  nodes: 5,
  loadMs: 360_000,
  workload: { processes: 10, keysPerProcess: 20, thinkMs: 20, settleAfterInfoMs: 5_000 },
  convergeMs: 180_000,
  command: () => ({ argv: [], env: {}, cwd: '/' }),
};
const result: RealRunResult = {
  seed: 1201,
  schedule: [{ at: 4_600, kind: 'kill', nodes: [2], durationMs: 3_000 }],
  counts: {
    invoked: 10,
    ok: 7,
    fail: 2,
    info: 1,
    byFunction: { put: { ok: 4, fail: 1, info: 1 }, get: { ok: 2, fail: 1, info: 0 }, del: { ok: 1, fail: 0, info: 0 } },
  },
  verdicts: [
    {
      name: 'durability: every acknowledged write',
      ok: false,
      checked: 200,
      count: 1,
      problems: ['p0/k1: final read "p0/k1=0.3", expected "p0/k1=0.9"'],
    },
  ],
  ok: false,
  notes: [],
  keys: 200,
  convergedAfterMs: 3_300,
};

describe('real-process report', () => {
  it('names the command, the schedule, the counts and each verdict with its examples, in Markdown that passes the repo prettier', async () => {
    const md = formatReport(result, options, 'npm run chaos:real -- --minutes 6 --seed 1201', '2026-12-01T02:57:32.295Z');
    expect(md).toContain('npm run chaos:real -- --minutes 6 --seed 1201');
    expect(md).toContain('- t+4.6s kill -9 n2, restart after 3000 ms');
    expect(md).toMatch(/\| all \(10 invoked\) \| 7 +\| 2 +\| 1 +\|/);
    expect(md).toContain('**FAIL** durability');
    expect(md).toContain('`p0/k1: final read "p0/k1=0.3", expected "p0/k1=0.9"`');
    expect(md).toContain('Verdict: **FAIL**');
    // The repository's prettier, as `npm run lint` runs it (a run's report is committed under docs/chaos/).
    const root = join(__dirname, '..', '..', '..', '..');
    const prettier = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
    expect(() =>
      execFileSync(process.execPath, [prettier, '--check', '--stdin-filepath', 'docs/chaos/report.md'], {
        cwd: root,
        input: md,
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });
});
