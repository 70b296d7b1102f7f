// Child process for the kill -9 test: writes under fsync 'always' until it is
// killed. Before each write it prints `try <op> <key> <value>`; after the
// write is acknowledged it prints `ack <op> <key> <value>` (synchronously, so
// a line printed is a line the parent can read even after SIGKILL). Every
// 50 writes it prints `worker <compactions>`: the compactions done on the
// engine's background thread so far.
//   node -r @swc-node/register crashWriter.ts <dir> <seed> <round>
import 'reflect-metadata';
import { NodeFileSystem, SystemClock } from '@dynamis/core';
import { writeSync } from 'node:fs';
import { LsmStorageEngine } from '../src';

/**
 * Writes `line` to stdout synchronously and completely. The pipe may be
 * non-blocking (libuv sets it so), so a full pipe answers EAGAIN: retry
 * until the parent has read enough.
 */
function say(line: string): void {
  const bytes = Buffer.from(line);
  for (let at = 0; at < bytes.length;) {
    try {
      at += writeSync(1, bytes, at, bytes.length - at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

const [dir, seedArg, round] = process.argv.slice(2) as [string, string, string];
let s = Number(seedArg) >>> 0 || 1;
const rand = (n: number): number => {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return (s >>> 0) % n;
};

async function main(): Promise<void> {
  const engine = new LsmStorageEngine(
    new NodeFileSystem(),
    dir,
    { fsync: 'always', memtableBytes: 32 * 1024, compaction: { strategy: rand(2) === 0 ? 'leveled' : 'tiered' } },
    new SystemClock(),
  );
  await engine.open();
  say('ready\n');
  for (let i = 0; ; i++) {
    const key = `k${String(rand(400)).padStart(4, '0')}`;
    const del = rand(10) === 0;
    const value = `${round}.${i}.${'x'.repeat(rand(300))}`;
    say(`try ${del ? 'del' : 'put'} ${key} ${del ? '-' : value}\n`);
    if (del) await engine.delete(Buffer.from(key));
    else await engine.put(Buffer.from(key), Buffer.from(value));
    say(`ack ${del ? 'del' : 'put'} ${key} ${del ? '-' : value}\n`);
    if (i % 50 === 49) {
      const c = engine.stats().counters;
      say(`worker ${c.workerCompactions}\n`);
    }
  }
}

main().catch((err: unknown) => {
  writeSync(2, `crashWriter failed: ${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
