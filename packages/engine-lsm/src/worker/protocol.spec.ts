import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '@dynamis/core';
import { FileMeta } from '../version/FileMeta';
import { errorFromData, errorToData, fileMetaFromData, fileMetaToData } from './protocol';

describe('worker protocol', () => {
  it('carries a DynamisError across a thread with its code, message and details', () => {
    const cause = new Error('EIO: i/o error');
    const err = new DynamisError('CORRUPTION', '/db/000012.sst @0: block checksum mismatch', {
      cause,
      details: { file: '/db/000012.sst', offset: 0, blockSize: 4000 },
    });
    const back = errorFromData(structuredClone(errorToData(err))) as DynamisError;
    expect(back).toBeInstanceOf(DynamisError);
    expect([back.code, back.message, back.details]).toEqual([err.code, err.message, err.details]);
    expect((back.cause as Error).message).toBe('EIO: i/o error');
  });

  it('carries other errors as plain errors, and duck-types a DynamisError of another copy of the core', () => {
    const plain = errorFromData(errorToData(new TypeError('boom')));
    expect(plain).not.toBeInstanceOf(DynamisError);
    expect(plain.message).toBe('boom');
    const foreign = { code: 'IO_ERROR', message: 'write failed', details: { path: '/x', errno: 'ENOSPC', fn: () => 1 } };
    const back = errorFromData(structuredClone(errorToData(foreign))) as DynamisError;
    expect([back.code, back.details]).toEqual(['IO_ERROR', { path: '/x', errno: 'ENOSPC' }]);
    expect(errorFromData(errorToData('a string')).message).toBe('a string');
  });

  it('carries a FileMeta with keys in buffers of their own', () => {
    const slab = new Uint8Array(1 << 16);
    slab.set([1, 2, 3, 9, 9], 100);
    const f = new FileMeta(42, 2048, 10, 2, 900, 5, 17, slab.subarray(100, 103), slab.subarray(103, 105));
    const data = fileMetaToData(f);
    expect(data.smallest.buffer.byteLength).toBe(3);
    const back = fileMetaFromData(structuredClone(data));
    expect(back).toBeInstanceOf(FileMeta);
    expect({ ...back }).toEqual({ ...f, smallest: Uint8Array.of(1, 2, 3), largest: Uint8Array.of(9, 9) });
  });
});
