import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, spawnCli, waitFor } from './cliProcess';

// Opt-in (npm run test:slow): a real experiment stopped by SIGTERM in the middle of its run phase.
describe('dynamis experiment stopped by a signal', () => {
  const root = mkdtempSync(join(tmpdir(), 'dynamis-exp-signal-'));
  let pids: number[] = [];
  afterAll(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('SIGTERM stops the running cluster, removes its directory and exits 3 without reports', async () => {
    const temp = join(root, 'tmp');
    mkdirSync(temp);
    const exp = {
      name: 'signal',
      workload: { workload: 'A', records: 100, operations: 10_000_000, concurrency: 4, valueBytes: 10 },
      configurations: [{ name: 'long' }],
    };
    writeFileSync(join(root, 'signal.json'), JSON.stringify(exp));
    const p = spawnCli(['experiment', 'signal.json', '--out', 'out'], root, { TMPDIR: temp });
    pids = await waitFor('the run phase', () => {
      const m = /nodes up, pids ([\d ]+)\n/.exec(p.stderr());
      return m !== null && p.stderr().includes('[1/1 long] run ') ? m[1]!.split(' ').map(Number) : undefined;
    });
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(3);
    expect(p.stderr()).toContain("SIGTERM: stopping the experiment's cluster");
    await waitFor('every node gone', () => pids.every((pid) => !alive(pid)), 60_000);
    expect(readdirSync(temp).filter((n) => n.startsWith('dynamis-experiment-'))).toEqual([]);
    expect(existsSync(join(root, 'out'))).toBe(false);
  }, 600_000);
});
