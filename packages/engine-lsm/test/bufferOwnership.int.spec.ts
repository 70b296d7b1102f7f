import { describe, expect, it } from '@jest/globals';
import { SystemClock } from '@dynamis/core';
import { MemoryFileSystem } from '@dynamis/testkit';
import { LsmStorageEngine } from '../src';

/**
 * Regression: writes coalesced within one tick must not keep references to
 * the caller's buffers — the port lets a caller reuse them as soon as the
 * call returns, also when many writes are in flight.
 */
describe('engine-lsm: caller buffers under write coalescing', () => {
  it.each(['none', 'interval'] as const)('64 in-flight puts from one reused buffer keep their own bytes (fsync %s)', async (fsync) => {
    const engine = new LsmStorageEngine(new MemoryFileSystem(), '/db', { fsync }, new SystemClock());
    await engine.open();
    const key = Buffer.alloc(8);
    const value = Buffer.alloc(8);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 64; i++) {
      key.writeUInt32BE(i, 4);
      value.writeUInt32BE(i * 7, 4);
      pending.push(engine.put(key, value));
      const batchKey = Buffer.from(`b${i}`);
      pending.push(engine.write([{ type: 'put', key: batchKey, value: Buffer.from(`v${i}`) }]));
      batchKey.fill(0);
    }
    key.fill(0xff);
    value.fill(0xff);
    await Promise.all(pending);
    for (let i = 0; i < 64; i++) {
      const k = Buffer.alloc(8);
      k.writeUInt32BE(i, 4);
      const got = await engine.get(k);
      expect(got === undefined ? undefined : Buffer.from(got).readUInt32BE(4)).toBe(i * 7);
      expect(Buffer.from((await engine.get(Buffer.from(`b${i}`)))!).toString()).toBe(`v${i}`);
    }
    expect(await engine.get(Buffer.alloc(8, 0xff))).toBeUndefined();
    await engine.close();
  });
});
