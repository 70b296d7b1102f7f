// Child process for the kill -9 test: writes under fsync 'always' until it is
// killed. Before each write it prints `try <op> <key> <value>`; after the
// write is acknowledged it prints `ack <op> <key> <value>` (synchronously, so
// a line printed is a line the parent can read even after SIGKILL).
//   node -r @swc-node/register crashWriter.ts <dir> <seed> <round>
import 'reflect-metadata';
import { NodeFileSystem, SystemClock } from '@dynamis/core';
import { writeSync } from 'node:fs';
import { LsmStorageEngine } from '../src';

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
  writeSync(1, 'ready\n');
  for (let i = 0; ; i++) {
    const key = `k${String(rand(400)).padStart(4, '0')}`;
    const del = rand(10) === 0;
    const value = `${round}.${i}.${'x'.repeat(rand(300))}`;
    writeSync(1, `try ${del ? 'del' : 'put'} ${key} ${del ? '-' : value}\n`);
    if (del) await engine.delete(Buffer.from(key));
    else await engine.put(Buffer.from(key), Buffer.from(value));
    writeSync(1, `ack ${del ? 'del' : 'put'} ${key} ${del ? '-' : value}\n`);
  }
}

main().catch((err: unknown) => {
  writeSync(2, `crashWriter failed: ${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
