// Child process for backgroundThreadProcess.int.spec.ts: opens an engine on
// disk, writes until its background thread has run compactions, closes it,
// and prints `closed <workerCompactions>`. It never calls
// process.exit: the process must end by itself, neither before close()
// resolves (nothing else keeps it alive) nor after (no thread left running).
//   node -r @swc-node/register closeExit.ts <dir>
import 'reflect-metadata';
import { NodeFileSystem, SystemClock } from '@dynamis/core';
import { writeSync } from 'node:fs';
import { LsmStorageEngine } from '../src';

async function main(): Promise<void> {
  const dir = process.argv[2]!;
  const options = {
    memtableBytes: 32 * 1024,
    compaction: { l0CompactionTrigger: 2, baseLevelBytes: 64 * 1024, targetFileBytes: 16 * 1024 },
  };
  const engine = new LsmStorageEngine(new NodeFileSystem(), dir, options, new SystemClock());
  await engine.open();
  for (let i = 0; engine.stats().counters.workerCompactions === 0 || i < 20_000; i++) {
    await engine.put(Buffer.from(`k${i % 3000}`), Buffer.from(`value ${i}`.padEnd(100, '.')));
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  // Let background work finish, so that close() finds the thread idle (then only the thread can keep the process alive):
  // poll the engine's internals (Background.busy, see bgHelpers.settle), without a deadline (the parent has one).
  const db = (engine as unknown as { db: { background: { busy: boolean }; imm: readonly unknown[] } }).db;
  while (db.background.busy || db.imm.length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const c = engine.stats().counters;
  await engine.close();
  writeSync(1, `closed ${c.workerCompactions}\n`);
}

main().catch((err: unknown) => {
  writeSync(2, `closeExit failed: ${String((err as Error).stack ?? err)}\n`);
  process.exitCode = 1;
});
