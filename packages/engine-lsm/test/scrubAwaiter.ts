// Child process for scrub.int.spec.ts: a script that fills a database on
// disk, reopens it and awaits a throttled engine.scrub(). The pass sleeps on
// the SystemClock, whose timers are unref'd; nothing else keeps the process
// alive. It sets exit code 3 first and 0 only after the pass and close(): if
// the event loop ran dry mid-pass, the process ends with code 3 and without
// the line
//   scrubbed <tables> <bytes> <sstBytes>
//   node -r @swc-node/register scrubAwaiter.ts <dir>
import 'reflect-metadata';
import { NodeFileSystem, SystemClock } from '@dynamis/core';
import { writeSync } from 'node:fs';
import { LsmStorageEngine } from '../src';

async function main(): Promise<void> {
  const [dir] = process.argv.slice(2) as [string];
  process.exitCode = 3;
  const fs = new NodeFileSystem();
  const clock = new SystemClock();
  let e = new LsmStorageEngine(fs, dir, { fsync: 'none', memtableBytes: 64 * 1024, scrub: { intervalMs: 0 } }, clock);
  await e.open();
  const value = Buffer.alloc(100, 7);
  for (let i = 0; i < 2000; i++) await e.put(Buffer.from(`k${String(i).padStart(6, '0')}`), value);
  await e.compactRange();
  await e.close();
  // 256 KiB per second over ~230 KB of tables: the pass sleeps on the clock about 20 times.
  e = new LsmStorageEngine(fs, dir, { scrub: { intervalMs: 0, bytesPerSec: 256 * 1024 } }, clock);
  await e.open();
  const report = await e.scrub();
  const sstBytes = e.stats().counters['sstBytes'];
  await e.close();
  writeSync(1, `scrubbed ${report.tables} ${report.bytes} ${sstBytes}\n`);
  process.exitCode = 0;
}

void main();
