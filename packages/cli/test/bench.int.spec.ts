import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Percentiles } from '@dynamis/workload';
import { runCli } from '../src/program';
import { alive, runCliProcess, startCluster, type CliProcess, type ClusterBanner } from './cliProcess';
import { recordingIo } from './recordingIo';

/** The checks every bench phase must pass: counts, no error, no miss, percentiles in order. */
function expectClean(
  phase: { operations: number; errors: number; notFound: number; errorsByCode: object; latencyMs: Record<string, Percentiles | null> },
  operations: number,
): void {
  expect(phase).toMatchObject({ operations, errors: 0, notFound: 0, errorsByCode: {} });
  for (const [series, p] of Object.entries(phase.latencyMs)) {
    if (p === null) continue;
    expect({ series, ordered: 0 < p.p50 && p.p50 <= p.p95 && p.p95 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.max }).toEqual({
      series,
      ordered: true,
    });
  }
}

/** Exit 0, or a failure that shows the exit code, the errors by code and stderr. */
function expectExit0(r: { code: unknown; stderr: string; doc: { run?: { errorsByCode?: object } } | null }): void {
  const seen = r.code === 0 ? 'exit 0' : JSON.stringify({ code: r.code, errorsByCode: r.doc?.run?.errorsByCode, stderr: r.stderr });
  expect(seen).toBe('exit 0');
}

// One `dynamis cluster --nodes 3 --ephemeral` (three real node processes) for every case of this file; `dynamis bench`
// runs once as a process (its stdout is the JSON document a script reads) and twice in-process (real sockets).
describe('dynamis bench against a 3-node cluster', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dynamis-bench-it-'));
  let cluster: CliProcess;
  let banner: ClusterBanner;
  let dirFlag: string[];

  beforeAll(async () => {
    ({ cluster, banner } = await startCluster(['cluster', '--nodes', '3', '--ephemeral'], cwd));
    dirFlag = ['--data-dir', banner.dataDir];
  }, 300_000);

  afterAll(async () => {
    if (cluster.child.exitCode === null && cluster.child.signalCode === null) {
      cluster.child.kill('SIGINT');
      await Promise.race([cluster.exited, new Promise((r) => setTimeout(r, 30_000).unref())]);
    }
    for (const node of banner?.nodes ?? []) if (alive(node.pid)) process.kill(node.pid, 'SIGKILL');
    if (cluster.child.exitCode === null && cluster.child.signalCode === null) cluster.child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
    if (banner !== undefined) rmSync(banner.dataDir, { recursive: true, force: true });
  });

  it('workload A as a process: one JSON document on stdout with the spec, a clean load and run, plain progress on stderr', async () => {
    const args = ['bench', '--workload', 'A', '--records', '200', '--operations', '500', '--seed', '5', '--json', ...dirFlag];
    const r = await runCliProcess(args, cwd);
    const doc = JSON.parse(r.stdout || 'null');
    expectExit0({ code: r.code, stderr: r.stderr, doc });
    expect(doc.spec).toEqual({
      workload: 'A',
      records: 200,
      operations: 500,
      concurrency: 16,
      valueBytes: 1000,
      distribution: 'zipfian',
      seed: 5,
      consistency: null,
      nodes: 3,
      load: true,
    });
    expectClean(doc.load, 200);
    expect(doc.load.latencyMs.insert.count).toBe(200);
    expectClean(doc.run, 500);
    expect(doc.run.latencyMs.all.count).toBe(500);
    expect(doc.load.siblingRewrites).toBe(0); // each record written once
    expect(Number.isInteger(doc.run.siblingRewrites)).toBe(true);
    expect(doc.run.latencyMs.read.count + doc.run.latencyMs.update.count).toBe(500);
    expect(doc.run.latencyMs.read.count).toBeGreaterThan(150); // 50% reads
    expect(doc.run.latencyMs.update.count).toBeGreaterThan(150);
    expect(r.stderr).toMatch(/^load: 200\/200 \(100%\), \d+ ops\/s$/m);
    expect(r.stderr).toMatch(/^run: 500\/500 \(100%\), \d+ ops\/s$/m);
  }, 120_000);

  // At consistency quorum (W+R>N, so a read after an acknowledged insert finds it): 'all' fails an operation whenever one
  // node is briefly marked down, which a loaded 2-core box does to a healthy node now and then.
  it('workloads D (latest, inserts) and F (read-modify-write, --no-load on the records A loaded) in-process, at consistency quorum', async () => {
    const bench = async (...args: string[]) => {
      const io = recordingIo(cwd, {});
      const code = await runCli(
        ['bench', '--records', '200', '--operations', '300', '--consistency', 'quorum', '--json', ...args, ...dirFlag],
        io,
      );
      return { code, doc: JSON.parse(io.stdout() || 'null'), stderr: io.stderr() };
    };
    const d = await bench('--workload', 'D', '--value-size', '100');
    expectExit0(d);
    expect(d.doc.spec).toMatchObject({ workload: 'D', distribution: 'latest', consistency: 'quorum', valueBytes: 100 });
    expectClean(d.doc.run, 300);
    expect(d.doc.run.latencyMs.insert.count).toBeGreaterThan(0); // 5% inserts, each read back by later reads without a miss
    expect(d.doc.run.latencyMs.insert.count + d.doc.run.latencyMs.read.count).toBe(300);

    const f = await bench('--workload', 'F', '--no-load');
    expectExit0(f);
    expect(f.doc.load).toBeNull();
    expectClean(f.doc.run, 300);
    expect(f.doc.run.latencyMs.rmw.count).toBeGreaterThan(100);
    expect(f.doc.run.latencyMs.rmw.count + f.doc.run.latencyMs.read.count).toBe(300);
  }, 120_000);

  it('workload E (95% scans, 5% inserts; --no-load on the records A and D wrote) in-process: the scans read pages of the walk', async () => {
    const io = recordingIo(cwd, {});
    const args = ['bench', '--workload', 'E', '--records', '200', '--operations', '100', '--concurrency', '4', '--no-load', '--json'];
    const code = await runCli([...args, ...dirFlag], io);
    expect({ code, stderr: io.stderr() }).toMatchObject({ code: 0 });
    const doc = JSON.parse(io.stdout());
    expect(doc.spec).toMatchObject({ workload: 'E', distribution: 'zipfian', concurrency: 4, load: false });
    expectClean(doc.run, 100);
    expect(doc.run.latencyMs.scan.count).toBeGreaterThan(80);
    // 5% inserts over 100 operations: none at all happens in about 0.6% of runs, and then there is no insert histogram (null).
    expect(doc.run.latencyMs.scan.count + (doc.run.latencyMs.insert?.count ?? 0)).toBe(100);
    // pages of 1..100 records of a walk over 200+ records: together far more records than scans
    expect(doc.run.scannedRecords).toBeGreaterThan(doc.run.latencyMs.scan.count);
  }, 180_000);

  it('prints a table of ops/s and percentiles per operation type without --json', async () => {
    const io = recordingIo(cwd, {});
    expect(await runCli(['bench', '--workload', 'C', '--records', '200', '--operations', '100', '--no-load', ...dirFlag], io)).toBe(0);
    expect(io.stdout()).toMatch(/^workload C \(100% read\), zipfian, 200 records, 100 operations, 16 in flight/);
    expect(io.stdout()).toMatch(/^PHASE +OPERATION +COUNT +OPS\/S +P50 MS +P95 MS +P99 MS +P99\.9 MS +MAX MS$/m);
    expect(io.stdout()).toMatch(/^run +read +100 +\d+ +\d/m);
    expect(io.stdout()).toMatch(/^run: 100 operations in \d+\.\d\d s, \d+ ops\/s, 0 errors, 0 not found$/m);
  }, 120_000);
});
