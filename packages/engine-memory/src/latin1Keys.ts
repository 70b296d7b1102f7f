/**
 * Keys are held as latin1 strings: one UTF-16 code unit per byte (0..255), so
 * JavaScript string order is exactly memcmp order with a proper prefix first.
 * Measured on 200k random 8..31-byte keys in a sorted-btree (Node 20): puts
 * about 2x and gets about 3x faster than Uint8Array keys compared with
 * Buffer.compare; full scans about equal. Strings are immutable, so a stored
 * key needs no defensive copy.
 */

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** The latin1 string of `bytes` (any Uint8Array, honouring its offset). */
export function toKey(bytes: Uint8Array): string {
  return latin1Slice.call(bytes, 0, bytes.length);
}

/** A new Buffer (a Uint8Array) holding the bytes of latin1 string `key`. */
export function fromKey(key: string): Uint8Array {
  return Buffer.from(key, 'latin1');
}

/** Code-unit order of latin1 strings: memcmp order of their bytes. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A fresh Buffer holding a copy of `value` (the engine hands out copies the
 * caller owns). Buffer.allocUnsafe + set: about half the time of
 * Buffer.from(uint8Array), whose generic array-like path this skips (both
 * take small buffers from Node's shared pool, so the result is the same).
 */
export function copyOut(value: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(value.length);
  out.set(value);
  return out;
}
