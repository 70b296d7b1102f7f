// One engine's share of the benchmark, run in a child process:
//   node worker.js <engine> <dir> <num> <reads> <suite>
// Prints one JSON line: { engine, results, figures, peakRssBytes }.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createBenchDb, type BenchDb, type EngineName } from './adapters';
import { deleteRandom, fill, fillBatch, permutation, readRandom, readSeq, Rng, type WorkloadResult } from './workloads';

type Suite = 'full' | 'reads' | 'durable';

async function withDb(
  engine: EngineName,
  dir: string,
  fsync: 'always' | 'interval' | 'none',
  fn: (db: BenchDb) => Promise<void>,
): Promise<Record<string, number>> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = createBenchDb(engine, dir, fsync);
  await db.open();
  try {
    await fn(db);
    return db.figures();
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function log(engine: string, r: WorkloadResult): void {
  process.stderr.write(`  ${engine.padEnd(14)} ${r.workload.padEnd(22)} ${Math.round(r.opsPerSec).toString().padStart(9)} ops/s\n`);
}

async function main(): Promise<void> {
  const [engine, dir, numArg, readsArg, suite] = process.argv.slice(2) as [EngineName, string, string, string, Suite];
  const n = Number(numArg);
  const reads = Number(readsArg);
  const results: WorkloadResult[] = [];
  const push = (r: WorkloadResult): void => {
    results.push(r);
    log(engine, r);
  };
  let figures: Record<string, number> = {};
  const seq = Uint32Array.from({ length: n }, (_, i) => i);
  const random = permutation(n, new Rng(3));
  if (suite === 'durable') {
    const writes = Math.min(n, 20_000);
    await withDb(engine, join(dir, 'd1'), 'always', async (db) =>
      push({ ...(await fill(db, 'fillsync x1', random.subarray(0, writes), 1, true)) }),
    );
    await withDb(engine, join(dir, 'd64'), 'always', async (db) =>
      push({ ...(await fill(db, 'fillsync x64', random.subarray(0, writes * 4), 64, true)) }),
    );
  } else if (suite === 'reads') {
    await withDb(engine, join(dir, 'r'), 'none', async (db) => {
      await fillBatch(db, n, 1000);
      push(await readRandom(db, 'readrandom', n, reads, 1, false));
      push(await readRandom(db, 'readrandom x64', n, reads, 64, false));
      push(await readRandom(db, 'readmissing', n, reads, 1, true));
      push(await readSeq(db));
    });
  } else {
    await withDb(engine, join(dir, 'seq'), 'interval', async (db) => push(await fill(db, 'fillseq', seq, 1)));
    await withDb(engine, join(dir, 'batch'), 'interval', async (db) => push(await fillBatch(db, n, 1000)));
    await withDb(engine, join(dir, 'x64'), 'interval', async (db) => push(await fill(db, 'fillrandom x64', random, 64)));
    figures = await withDb(engine, join(dir, 'main'), 'interval', async (db) => {
      push(await fill(db, 'fillrandom', random, 1));
      push({ ...(await fill(db, 'overwrite', permutation(n, new Rng(5)), 1)), workload: 'overwrite' });
      push(await readRandom(db, 'readrandom', n, reads, 1, false));
      push(await readRandom(db, 'readrandom x64', n, reads, 64, false));
      push(await readRandom(db, 'readmissing', n, reads, 1, true));
      push(await readSeq(db));
      push(await deleteRandom(db, n, Math.min(n, reads)));
    });
  }
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ engine, results, figures, peakRssBytes }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err) + '\n');
  process.exit(1);
});
