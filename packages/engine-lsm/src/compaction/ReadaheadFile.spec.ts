import { describe, expect, it } from '@jest/globals';
import type { RandomAccessFile } from '@dynamis/core';
import { READAHEAD_BYTES, ReadaheadFile } from './ReadaheadFile';

/** An in-memory file that counts the reads reaching it. */
function fileOf(bytes: Uint8Array): RandomAccessFile & { calls: number } {
  const f = {
    path: '/f',
    size: bytes.length,
    calls: 0,
    read: (position: number, length: number) => {
      f.calls++;
      return bytes.slice(position, position + length);
    },
    readInto: (position: number, length: number, target: Uint8Array, at: number) => {
      f.calls++;
      const part = bytes.subarray(Math.min(position, bytes.length), Math.min(position + length, bytes.length));
      target.set(part, at);
      return part.length;
    },
    close: () => undefined,
  };
  return f;
}

describe('ReadaheadFile', () => {
  const bytes = Uint8Array.from({ length: 3 * READAHEAD_BYTES + 1234 }, (_, i) => (i * 7919) & 0xff);

  it('returns what the file holds, sequential or not, up to and past the end', () => {
    const file = fileOf(bytes);
    const ra = new ReadaheadFile(file);
    const cases: [number, number][] = [
      [0, 100],
      [100, 4096],
      [READAHEAD_BYTES - 10, 50],
      [5, 10],
      [bytes.length - 64, 64],
      [bytes.length - 10, 100],
      [bytes.length + 5, 10],
      [1000, READAHEAD_BYTES + 1],
    ];
    for (const [pos, len] of cases) {
      const target = new Uint8Array(len + 3);
      const n = ra.readInto(pos, len, target, 3);
      const want = bytes.subarray(Math.min(pos, bytes.length), Math.min(pos + len, bytes.length));
      expect([pos, n]).toEqual([pos, want.length]);
      expect(target.subarray(3, 3 + n)).toEqual(want);
      expect(ra.read(pos, len)).toEqual(want);
    }
  });

  it('reads a sequential scan of 4 KiB blocks with one call per window', () => {
    const file = fileOf(bytes);
    const ra = new ReadaheadFile(file);
    const block = new Uint8Array(4096 + 5);
    for (let pos = 0; pos + block.length <= bytes.length; pos += block.length) ra.readInto(pos, block.length, block, 0);
    expect(file.calls).toBeLessThanOrEqual(Math.ceil(bytes.length / READAHEAD_BYTES) + 1);
  });
});
