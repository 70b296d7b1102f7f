import { isUtf8 } from 'node:buffer';

/** Outcome of scanning one message. */
export const ScanResult = {
  /** Plain msgpack, every string well-formed UTF-8. */
  plain: 0,
  /** Plain msgpack, but at least one string (or map key) is not well-formed UTF-8. */
  illFormedText: 1,
  /** Not exactly one plain msgpack value: see PlainMsgpackScanner. */
  invalid: 2,
} as const;
export type ScanResult = (typeof ScanResult)[keyof typeof ScanResult];

/**
 * Checks that untrusted bytes are exactly one *plain* msgpack value before
 * anything decodes them (docs/protocol.md, "Encoding"): nil, booleans,
 * integers (up to 64 bits), floats, str, bin, arrays, and maps whose keys are
 * str. Every extension type (msgpackr's structured-clone ids and pointers,
 * records, Date, Set, Error, typed arrays, bundled strings, and any unknown
 * one), the never-used byte 0xc1, a map key that is not a str, truncation and
 * trailing bytes all make it `invalid`.
 *
 * Bounded: the scan is one pass over the bytes (a bin or str is skipped by
 * its length), visits at most `maxNodes` values, and nests at most
 * `maxDepth` containers; beyond either it stops with `invalid`. Without
 * extensions a msgpack value is a tree whose size is bounded by its bytes, so
 * what passes decodes in time linear in its length.
 *
 * Not re-entrant (state lives on the instance); one scanner per codec.
 */
export class PlainMsgpackScanner {
  private src: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private nodes = 0;
  private illFormed = false;

  constructor(
    private readonly maxNodes: number,
    private readonly maxDepth: number,
  ) {}

  /** Scans `bytes`; never throws. */
  scan(bytes: Uint8Array): ScanResult {
    this.src = bytes;
    this.pos = 0;
    this.nodes = 0;
    this.illFormed = false;
    try {
      const ok = this.value(0) && this.pos === bytes.length;
      if (!ok) return ScanResult.invalid;
      return this.illFormed ? ScanResult.illFormedText : ScanResult.plain;
    } finally {
      this.src = EMPTY; // keep no reference to the message
    }
  }

  /** Skips one value at nesting `depth`; false if it is not plain msgpack or breaks a bound. */
  private value(depth: number): boolean {
    if (++this.nodes > this.maxNodes || this.pos >= this.src.length) return false;
    const t = this.src[this.pos++]!;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) return true;
    if (t >= 0xa0 && t <= 0xbf) return this.text(t & 0x1f);
    if (t >= 0x90 && t <= 0x9f) return this.array(t & 0x0f, depth);
    if (t >= 0x80 && t <= 0x8f) return this.map(t & 0x0f, depth);
    switch (t) {
      case 0xc4:
        return this.skip(this.length(1));
      case 0xc5:
        return this.skip(this.length(2));
      case 0xc6:
        return this.skip(this.length(4));
      case 0xcc:
      case 0xd0:
        return this.skip(1);
      case 0xcd:
      case 0xd1:
        return this.skip(2);
      case 0xca:
      case 0xce:
      case 0xd2:
        return this.skip(4);
      case 0xcb:
      case 0xcf:
      case 0xd3:
        return this.skip(8);
      case 0xd9:
        return this.text(this.length(1));
      case 0xda:
        return this.text(this.length(2));
      case 0xdb:
        return this.text(this.length(4));
      case 0xdc:
        return this.array(this.length(2), depth);
      case 0xdd:
        return this.array(this.length(4), depth);
      case 0xde:
        return this.map(this.length(2), depth);
      case 0xdf:
        return this.map(this.length(4), depth);
      default:
        return false; // 0xc1, ext 8/16/32 (0xc7–0xc9), fixext (0xd4–0xd8)
    }
  }

  private array(n: number, depth: number): boolean {
    if (n < 0 || depth >= this.maxDepth || n > this.src.length - this.pos) return false;
    for (let i = 0; i < n; i++) if (!this.value(depth + 1)) return false;
    return true;
  }

  private map(n: number, depth: number): boolean {
    if (n < 0 || depth >= this.maxDepth || n * 2 > this.src.length - this.pos) return false;
    for (let i = 0; i < n; i++) {
      if (!this.key() || !this.value(depth + 1)) return false;
    }
    return true;
  }

  /** A map key: a str, counted as a node. */
  private key(): boolean {
    if (++this.nodes > this.maxNodes || this.pos >= this.src.length) return false;
    const t = this.src[this.pos++]!;
    if (t >= 0xa0 && t <= 0xbf) return this.text(t & 0x1f);
    if (t === 0xd9) return this.text(this.length(1));
    if (t === 0xda) return this.text(this.length(2));
    if (t === 0xdb) return this.text(this.length(4));
    return false;
  }

  /** A str payload of `n` bytes: notes (does not reject) ill-formed UTF-8. */
  private text(n: number): boolean {
    const start = this.pos;
    if (!this.skip(n)) return false;
    const s = this.src;
    for (let i = start; i < start + n; i++) {
      if (s[i]! >= 0x80) {
        if (!isUtf8(s.subarray(start, start + n))) this.illFormed = true;
        break;
      }
    }
    return true;
  }

  /** Reads a big-endian length of `size` bytes; -1 if truncated. */
  private length(size: 1 | 2 | 4): number {
    if (this.src.length - this.pos < size) return -1;
    const s = this.src;
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + s[this.pos++]!;
    return n;
  }

  private skip(n: number): boolean {
    if (n < 0 || n > this.src.length - this.pos) return false;
    this.pos += n;
    return true;
  }
}

const EMPTY = new Uint8Array(0);
