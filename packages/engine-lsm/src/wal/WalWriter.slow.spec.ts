import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from '@dynamis/core';
import { MemoryFileSystem } from '@dynamis/testkit';
import { bestRate } from '../../test/support/throughput';
import { WalReader } from './WalReader';
import { WalWriter } from './WalWriter';
import { WriteBatchBuilder } from './writeBatch';

describe('WAL throughput (opt-in: npm run test:slow)', () => {
  it('prints addRecord/s on memory and on disk next to raw writeSync/s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-bench-'));
    try {
      const n = 200_000;
      const key = new Uint8Array(16).fill(1);
      const value = new Uint8Array(100).fill(2);
      const batch = new WriteBatchBuilder();
      const fss = [
        ['memory', new MemoryFileSystem()],
        ['disk', new NodeFileSystem()],
      ] as const;
      for (const [name, fs] of fss) {
        fs.mkdirp(dir);
        const rate = bestRate(3, n, (r) => {
          const w = new WalWriter(fs.create(join(dir, `${name}-${r}.log`)));
          for (let i = 0; i < n; i++) {
            batch.reset();
            batch.put(key, value);
            batch.setBaseSeq(i + 1);
            w.addRecord(batch.payload());
          }
          void w.close();
        });
        process.stdout.write(`wal ${name}: ${rate} batch+addRecord/s (one 16+100-byte put per record)\n`);
        expect([...WalReader.open(fs, join(dir, `${name}-0.log`))].length).toBe(n);
      }
      const fd = openSync(join(dir, 'raw'), 'w');
      const raw = Buffer.alloc(147);
      const rawRate = bestRate(3, n, () => {
        for (let i = 0; i < n; i++) writeSync(fd, raw);
      });
      closeSync(fd);
      process.stdout.write(`raw fs.writeSync of 147 bytes: ${rawRate}/s\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
