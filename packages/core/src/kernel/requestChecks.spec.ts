import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '../errors/DynamisError';
import { checkBatch, checkKey, checkValue, checkWriteOptions } from './requestChecks';

const limits = { maxKeyBytes: 8, maxValueBytes: 16, maxBatchOps: 4 };

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof DynamisError ? err.code : 'NOT_A_DYNAMIS_ERROR';
  }
}

describe('checkKey (shared by the Store and the client)', () => {
  it('refuses ill-formed UTF-16 (lone or reversed surrogates), which UTF-8 encoding would silently turn into U+FFFD', () => {
    for (const key of ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a\uD83D', '\uDE00b', 'a\uD83Db', '\uDE00\uD83D']) {
      expect(codeOf(() => checkKey(key, limits))).toBe('INVALID_KEY');
      expect(codeOf(() => checkBatch([{ type: 'del', key }], {}, limits))).toBe('INVALID_KEY');
    }
    // Two distinct ill-formed keys would otherwise be the same stored key.
    expect(Buffer.from('a\uD800')).toEqual(Buffer.from('a\uDC00'));
    expect(codeOf(() => checkKey('\uD83D\uDE00', limits))).toBeUndefined();
  });

  it('accepts exactly maxKeyBytes UTF-8 bytes and refuses one more, counting bytes rather than characters', () => {
    for (const key of ['12345678', 'éééé', 'ab€xyz', '\uD83D\uDE00\uD83D\uDE00']) {
      expect(Buffer.byteLength(key)).toBe(8);
      expect(codeOf(() => checkKey(key, limits))).toBeUndefined();
    }
    for (const key of ['123456789', 'éééé9', 'ab€xyz9', '\uD83D\uDE00\uD83D\uDE00!']) {
      expect(() => checkKey(key, limits)).toThrow(expect.objectContaining({ code: 'INVALID_KEY', details: { bytes: 9, max: 8 } }));
    }
  });

  it('accepts a value of exactly maxValueBytes and refuses one byte more with VALUE_TOO_LARGE', () => {
    expect(codeOf(() => checkValue(new Uint8Array(16), limits))).toBeUndefined();
    expect(() => checkValue(new Uint8Array(17), limits)).toThrow(
      expect.objectContaining({ code: 'VALUE_TOO_LARGE', details: { bytes: 17, max: 16 } }),
    );
  });
});

describe('checkWriteOptions', () => {
  it('takes contexts that are bytes (or absent) and refuses anything else, naming the option', () => {
    const bytes = new Uint8Array(2);
    for (const isPut of [true, false]) {
      expect(codeOf(() => checkWriteOptions({ context: bytes, ifVersion: bytes }, isPut))).toBeUndefined();
      expect(codeOf(() => checkWriteOptions({ context: undefined, ifVersion: undefined }, isPut))).toBeUndefined();
      for (const bad of ['ab', [1, 2], {}, null, 0]) {
        expect(() => checkWriteOptions({ context: bad }, isPut)).toThrow(
          expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'context must be a Uint8Array' }),
        );
        expect(() => checkWriteOptions({ context: bytes, ifVersion: bad }, isPut)).toThrow(
          expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'ifVersion must be a Uint8Array' }),
        );
      }
    }
  });
});
