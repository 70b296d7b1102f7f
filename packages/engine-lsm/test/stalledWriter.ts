// Child process for keepAlive.int.spec.ts: a writer awaiting engine.put() in
// a loop under fsync 'none', with a tiny memtable and low level-0 triggers so
// that many writes are held back (stalled at l0StopTrigger, or slowed down
// by ~1 ms at l0SlowdownTrigger) waiting for flushes and compactions on the
// background worker thread. Nothing but the pending writes keeps the process
// alive. It sets exit code 3 first and 0 only after the loop and close(): if
// the event loop ran dry while a write was pending, the process ends with
// code 3 and without the line
//   done <puts> <stallCount> <slowdowns> <workerCompactions>
//   node -r @swc-node/register stalledWriter.ts <dir> <puts> <l0SlowdownTrigger | 'default'>
import 'reflect-metadata';
import { NodeFileSystem, SystemClock } from '@dynamis/core';
import { writeSync } from 'node:fs';
import { LsmStorageEngine } from '../src';

async function main(): Promise<void> {
  const [dir, putsArg, slowArg] = process.argv.slice(2) as [string, string, string];
  process.exitCode = 3;
  // 'default': the default level-0 triggers (compaction 4, slowdown 8, stop 12); else tiny ones with this slowdown trigger.
  const compaction =
    slowArg === 'default'
      ? { targetFileBytes: 4096, backgroundThread: true }
      : {
          l0CompactionTrigger: 2,
          l0SlowdownTrigger: Number(slowArg),
          l0StopTrigger: 3,
          baseLevelBytes: 16 * 1024,
          targetFileBytes: 4096,
          backgroundThread: true,
        };
  const engine = new LsmStorageEngine(
    new NodeFileSystem(),
    dir,
    slowArg === 'default'
      ? { fsync: 'none', memtableBytes: 8192, compaction }
      : { fsync: 'none', memtableBytes: 4096, maxImmutableMemtables: 1, compaction },
    new SystemClock(),
  );
  await engine.open();
  const puts = Number(putsArg);
  for (let i = 0; i < puts; i++) {
    await engine.put(Buffer.from(`k${i % 2000}`), Buffer.from(`value ${i}`.padEnd(200, '.')));
  }
  const c = engine.stats().counters;
  writeSync(1, `done ${puts} ${c.stallCount} ${c.slowdowns} ${c.workerCompactions}\n`);
  await engine.close();
  process.exitCode = 0;
}

main().catch((err: unknown) => {
  writeSync(2, `stalledWriter failed: ${String((err as Error).stack ?? err)}\n`);
  process.exitCode = 1;
});
