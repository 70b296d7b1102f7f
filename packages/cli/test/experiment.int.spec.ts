import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResults, type ExperimentResults } from '../src/experiment/results';
import { runCli } from '../src/program';
import { spawnCli } from './cliProcess';
import { recordingIo } from './recordingIo';

const EXPERIMENT = {
  name: 'e2e',
  nodes: 3,
  workload: { workload: 'A', records: 200, operations: 400, concurrency: 8, valueBytes: 100, seed: 7 },
  staleness: { samples: 30, delaysMs: [0, 5], during: 'run' },
  configurations: [
    { name: 'lww W2R2 leveled', resolver: 'lww', w: 2, r: 2, compaction: 'leveled', memtableBytes: 16384 },
    {
      name: 'vclock W1R1 tiered',
      resolver: 'vclock',
      writes: 'with-context',
      w: 1,
      r: 1,
      compaction: 'tiered',
      fsync: 'none',
      memtableBytes: 16384,
      partitions: 64,
    },
  ],
};

// One `dynamis experiment` run as a process (each configuration: three real node processes of its own) shared by
// every case; deadlines are generous: the nodes compile their TypeScript at start and the box may be loaded.
describe('dynamis experiment, end to end on a tiny workload', () => {
  const root = mkdtempSync(join(tmpdir(), 'dynamis-exp-it-'));
  const temp = join(root, 'tmp');
  const out = join(root, 'out');
  let code: number | string;
  let stdout: string;
  let stderr: string;
  let results: ExperimentResults;
  /** The configurations' cluster directories left in TMPDIR (the nodes' TypeScript loader keeps its cache there too). */
  const clusterDirs = (): string[] => readdirSync(temp).filter((name) => name.startsWith('dynamis-experiment-'));

  beforeAll(async () => {
    mkdirSync(temp);
    writeFileSync(join(root, 'e2e.json'), JSON.stringify(EXPERIMENT));
    const p = spawnCli(['experiment', 'e2e.json', '--out', 'out'], root, { TMPDIR: temp });
    code = await p.exited;
    stdout = p.stdout();
    stderr = p.stderr();
    if (code === 0) results = parseResults(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
  }, 600_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('exits 0, prints the three files it wrote and reports progress on stderr', () => {
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toBe(['results.json', 'report.md', 'report.html'].map((f) => `${join(out, f)}\n`).join(''));
    for (const line of [
      '[1/2 lww W2R2 leveled] starting 3 nodes',
      '[1/2 lww W2R2 leveled] load 100%',
      '[2/2 vclock W1R1 tiered] run 100%',
      '[2/2 vclock W1R1 tiered] staleness 100%',
    ])
      expect(stderr).toContain(line);
    // Each configuration's cluster directory was removed once it stopped.
    expect(clusterDirs()).toEqual([]);
  });

  it('results.json holds every measure of both configurations', () => {
    expect(results.configurations.map((c) => [c.name, c.settings])).toEqual([
      [
        'lww W2R2 leveled',
        { resolver: 'lww', engine: 'lsm', writes: 'blind', n: 3, w: 2, r: 2, compaction: 'leveled', memtableBytes: 16384 },
      ],
      [
        'vclock W1R1 tiered',
        {
          resolver: 'vclock',
          engine: 'lsm',
          writes: 'with-context',
          n: 3,
          w: 1,
          r: 1,
          compaction: 'tiered',
          fsync: 'none',
          memtableBytes: 16384,
          partitions: 64,
        },
      ],
    ]);
    expect(results.driver).toBe('@dynamis/workload');
    expect(results.staleness).toEqual({ samples: 30, delaysMs: [0, 5], concurrency: 1, during: 'run' });
    // What the nodes themselves report: the settings reached them.
    expect(results.configurations.map((c) => c.observed)).toEqual([
      {
        replication: { n: 3, w: 2, r: 2 },
        partitions: 256,
        plugins: expect.arrayContaining(['@dynamis/conflict-lww', '@dynamis/engine-lsm']),
      },
      {
        replication: { n: 3, w: 1, r: 1 },
        partitions: 64,
        plugins: expect.arrayContaining(['@dynamis/conflict-vclock', '@dynamis/engine-lsm']),
      },
    ]);
    for (const c of results.configurations) {
      expect(c.load).toMatchObject({ operations: 200, errors: 0 });
      expect(c.run.operations).toBe(400);
      expect(c.run.opsPerSec).toBeGreaterThan(0);
      expect(c.run.latencyMs.all!.count).toBe(400 - c.run.errors);
      expect(c.run.latencyMs.all!.p99).toBeGreaterThanOrEqual(c.run.latencyMs.all!.p50);
      expect(c.reads.reads).toBeGreaterThan(0);
      expect(c.reads.found).toBeGreaterThan(0);
      // Small memtables: the engines flushed, so both amplifications are measured (the WAL alone makes write amp. > 1).
      expect(c.storage.engine).toBe('lsm');
      expect(c.storage.writeAmplification).toBeGreaterThan(1);
      expect(c.storage.sstBytes).toBeGreaterThan(0);
      expect(c.storage.spaceAmplification).toBeGreaterThan(0);
      expect(c.repair.readRepairs).not.toBeNull();
      expect(c.repair.antiEntropyBytes).not.toBeNull();
      expect(c.staleness!.map((p) => [p.delayMs, p.trials + p.errors])).toEqual([
        [0, 30],
        [5, 30],
      ]);
    }
    // R + W > N: a read always meets a replica that acknowledged the write (and every loaded key is there).
    expect(results.configurations[0]!.reads.found).toBe(results.configurations[0]!.reads.reads);
    expect(results.configurations[0]!.staleness!.map((p) => p.stale)).toEqual([0, 0]);
  });

  it('report.md and report.html show both configurations; --render writes the same bytes again', async () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const c of results.configurations) {
      const p = c.staleness![0]!;
      expect(md).toContain(`| ${c.name} | ${p.pStale.toFixed(3)} (${p.stale}/${p.trials}`);
      expect(md).toContain(`| ${c.name} | lsm | ${c.storage.writeAmplification!.toFixed(2)} |`);
      expect(html).toContain(`<td>${c.name}</td>`);
    }
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//i);

    const io = recordingIo(root);
    expect(await runCli(['experiment', '--render', join(out, 'results.json'), '--out', 'again'], io)).toBe(0);
    expect(io.stdout()).toBe(`${join(root, 'again', 'report.md')}\n${join(root, 'again', 'report.html')}\n`);
    expect(readFileSync(join(root, 'again', 'report.md'), 'utf8')).toBe(md);
    expect(readFileSync(join(root, 'again', 'report.html'), 'utf8')).toBe(html);
  });

  it('refuses a bad file with exit 2 naming the key, before starting anything', async () => {
    writeFileSync(join(root, 'bad.json'), JSON.stringify({ ...EXPERIMENT, configurations: [{ name: 'x', w: 4 }] }));
    const io = recordingIo(root, { TMPDIR: temp });
    expect(await runCli(['experiment', 'bad.json'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^error INVALID_CONFIG: .*bad\.json: .*configurations\.0\.w: W=4 exceeds N=3/s);
    expect(io.stdout()).toBe('');
    expect(clusterDirs()).toEqual([]);
  });
});
