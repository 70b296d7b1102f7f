import * as core from '@dynamis/core';
import { DynamisError } from '@dynamis/core';

/** Read once at load: every access through @dynamis/core's CommonJS index is a call of a getter that all its re-exports share (a megamorphic load, seen in the client's CPU profile). */
const { MAX_WIRE_DEPTH, MAX_WIRE_NODES } = core;

/** Bytes of a fresh slab; frames are written one after another into it. */
const SLAB_BYTES = 64 * 1024;
/** A slab grown past this for one big frame is dropped after it (memory is not kept for the next small ones). */
const MAX_KEPT_SLAB_BYTES = 1024 * 1024;

/**
 * Encodes plain data (isWireValue's values) as plain msgpack, the only
 * format the receiving PlainMsgpackDecoder accepts: null and undefined as
 * nil, booleans, integers in the smallest int format (-0 as 0; beyond
 * ±2^53 as float 64), other numbers as float 64, str, Uint8Array (any
 * subclass) as bin, arrays, plain objects as maps (enumerable keys, as
 * `for...in` lists them). A string with a lone surrogate is written as its
 * three-byte (WTF-8) form, which the receiver reports as ill-formed UTF-8
 * instead of a silently different string.
 *
 * Frames are written one after another into a slab that is reused until
 * full: each result is a view that stays valid after later calls (nothing
 * is ever written over it). Throws INVALID_ARGUMENT for anything else, more
 * than MAX_WIRE_DEPTH levels or more than MAX_WIRE_NODES values and map
 * keys (the receiver's bound counts keys too). It refuses every payload
 * core's isWireValue refuses (and, counting keys, a few more near the node
 * bound): encodeMessage relies on that instead of walking a payload twice
 * (property-tested in encodeMessage.spec.ts). Not re-entrant.
 */
export class PlainMsgpackEncoder {
  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private start = 0;
  private pos = 0;
  private nodes = 0;

  /** `[kind, id, type, body]` as one msgpack array. */
  frame(kind: number, id: number, type: string, body: unknown): Buffer {
    this.start = this.pos;
    this.nodes = MAX_WIRE_NODES;
    try {
      this.room(1);
      this.slab[this.pos++] = 0x94;
      this.number(kind);
      this.number(id);
      this.string(type);
      this.value(body, 0);
    } catch (err) {
      this.pos = this.start; // nothing of a failed frame stays
      throw err;
    }
    const out = this.slab.subarray(this.start, this.pos);
    if (this.slab.length > MAX_KEPT_SLAB_BYTES) this.fresh();
    return out;
  }

  private fresh(): void {
    this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    this.start = this.pos = 0;
  }

  private value(v: unknown, depth: number): void {
    if (--this.nodes < 0) throw new DynamisError('INVALID_ARGUMENT', `payload has more than ${MAX_WIRE_NODES} values`);
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return this.number(v);
      case 'boolean':
        this.room(1);
        this.slab[this.pos++] = v ? 0xc3 : 0xc2;
        return;
      case 'undefined':
        this.room(1);
        this.slab[this.pos++] = 0xc0;
        return;
      case 'object':
        if (v === null) {
          this.room(1);
          this.slab[this.pos++] = 0xc0;
          return;
        }
        if (depth >= MAX_WIRE_DEPTH) throw new DynamisError('INVALID_ARGUMENT', `payload nests deeper than ${MAX_WIRE_DEPTH} levels`);
        if (v instanceof Uint8Array) return this.bin(v);
        if (Array.isArray(v)) return this.array(v, depth);
        return this.map(v, depth);
      default:
        throw new DynamisError('INVALID_ARGUMENT', `a ${typeof v} cannot travel`);
    }
  }

  private number(v: number): void {
    this.room(9);
    const s = this.slab;
    let p = this.pos;
    if (Number.isInteger(v) && v >= -0x8000_0000 && v <= 0xffff_ffff) {
      if (v >= 0) {
        if (v < 0x80) s[p++] = v;
        else if (v < 0x100) {
          s[p++] = 0xcc;
          s[p++] = v;
        } else if (v < 0x10000) {
          s[p++] = 0xcd;
          p = put16(s, v, p);
        } else {
          s[p++] = 0xce;
          p = put32(s, v, p);
        }
      } else if (v >= -32) s[p++] = v + 0x100;
      else if (v >= -0x80) {
        s[p++] = 0xd0;
        s[p++] = v & 0xff;
      } else if (v >= -0x8000) {
        s[p++] = 0xd1;
        p = put16(s, v, p);
      } else {
        s[p++] = 0xd2;
        p = put32(s, v, p);
      }
    } else if (Number.isSafeInteger(v)) {
      const hi = Math.floor(v / 0x1_0000_0000);
      s[p++] = v >= 0 ? 0xcf : 0xd3;
      p = put32(s, hi | 0, p);
      p = put32(s, v - hi * 0x1_0000_0000, p);
    } else {
      s[p++] = 0xcb;
      p = s.writeDoubleBE(v, p);
    }
    this.pos = p;
  }

  private string(v: string): void {
    const n = v.length;
    if (n < 32) {
      // Short ASCII (most keys and types): written as it is checked.
      this.room(1 + n);
      const s = this.slab;
      let p = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) break;
        s[p++] = c;
      }
      if (i === n) {
        s[this.pos] = 0xa0 | n;
        this.pos = p;
        return;
      }
    }
    if (!v.isWellFormed()) return this.wtf8(v);
    const bytes = Buffer.byteLength(v, 'utf8');
    this.strHeader(bytes);
    this.pos += this.slab.write(v, this.pos, bytes, 'utf8');
  }

  private strHeader(bytes: number): void {
    this.room(5 + bytes);
    const s = this.slab;
    if (bytes < 32) s[this.pos++] = 0xa0 | bytes;
    else if (bytes < 0x100) {
      s[this.pos++] = 0xd9;
      s[this.pos++] = bytes;
    } else if (bytes < 0x10000) {
      s[this.pos++] = 0xda;
      this.pos = put16(s, bytes, this.pos);
    } else {
      s[this.pos++] = 0xdb;
      this.pos = put32(s, bytes, this.pos);
    }
  }

  /** A string with lone surrogates: UTF-8, each lone surrogate as three bytes (rare: never a hot path). */
  private wtf8(v: string): void {
    const out: number[] = [];
    for (const ch of v) {
      const c = ch.codePointAt(0)!;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    this.strHeader(out.length);
    for (const b of out) this.slab[this.pos++] = b;
  }

  private bin(v: Uint8Array): void {
    const n = v.length;
    this.room(5 + n);
    const s = this.slab;
    if (n < 0x100) {
      s[this.pos++] = 0xc4;
      s[this.pos++] = n;
    } else if (n < 0x10000) {
      s[this.pos++] = 0xc5;
      this.pos = put16(s, n, this.pos);
    } else {
      s[this.pos++] = 0xc6;
      this.pos = put32(s, n, this.pos);
    }
    s.set(v, this.pos);
    this.pos += n;
  }

  private array(v: readonly unknown[], depth: number): void {
    const n = v.length;
    this.room(5);
    const s = this.slab;
    if (n < 16) s[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      s[this.pos++] = 0xdc;
      this.pos = put16(s, n, this.pos);
    } else {
      s[this.pos++] = 0xdd;
      this.pos = put32(s, n, this.pos);
    }
    for (let i = 0; i < n; i++) this.value(v[i], depth + 1);
  }

  private map(v: object, depth: number): void {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new DynamisError('INVALID_ARGUMENT', 'only plain objects can travel');
    this.room(1);
    const at = this.pos++ - this.start; // fixmap header (offset in the frame: `room` may move the frame), widened below if 16 keys or more
    let n = 0;
    for (const key in v) {
      if (--this.nodes < 0) throw new DynamisError('INVALID_ARGUMENT', `payload has more than ${MAX_WIRE_NODES} values`);
      this.string(key);
      this.value((v as Record<string, unknown>)[key], depth + 1);
      n++;
    }
    if (n < 16) {
      this.slab[this.start + at] = 0x80 | n;
      return;
    }
    const extra = n < 0x10000 ? 2 : 4;
    this.room(extra);
    const s = this.slab;
    const header = this.start + at;
    s.copyWithin(header + 1 + extra, header + 1, this.pos);
    this.pos += extra;
    s[header] = extra === 2 ? 0xde : 0xdf;
    if (extra === 2) put16(s, n, header + 1);
    else put32(s, n, header + 1);
  }

  /** Makes room for `n` more bytes, moving the frame so far to a bigger slab if needed. */
  private room(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, (used + n) * 2));
    this.slab.copy(next, 0, this.start, this.pos);
    this.slab = next;
    this.start = 0;
    this.pos = used;
  }
}

/** Writes the low 16 bits of `v` big-endian at `at` (no range checks: callers chose the format by range); returns the next offset. */
function put16(b: Buffer, v: number, at: number): number {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
  return at + 2;
}

/** Writes the low 32 bits of `v` big-endian at `at`; returns the next offset. */
function put32(b: Buffer, v: number, at: number): number {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
  return at + 4;
}
