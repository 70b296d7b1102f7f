import { isUtf8 } from 'node:buffer';

/** What `decode` returns for bytes that are not exactly one plain msgpack value within the bounds. */
export const NOT_PLAIN: unique symbol = Symbol('not plain msgpack');

/**
 * Decodes untrusted bytes that must be exactly one *plain* msgpack value
 * (docs/protocol.md, "Encoding"), checking while it decodes, in one pass:
 * nil, booleans, integers (64-bit ones become the nearest number), floats,
 * str, bin, arrays, and maps whose keys are str (to plain objects; a
 * `__proto__` key becomes `__proto_`, never a prototype). Every extension
 * type (structured-clone ids and pointers, records, Date, Set, Error, typed
 * arrays, bundled strings, any unknown one), the never-used byte 0xc1, a map
 * key that is not a str, truncation and trailing bytes make it NOT_PLAIN.
 *
 * Bounded: at most `maxNodes` values (map keys count) and `maxDepth` nested
 * containers, else NOT_PLAIN; a container's length is checked against the
 * bytes left before anything is allocated for it, so the work and the memory
 * are linear in the input. A bin is a view of the input (no copy). A string
 * that is not well-formed UTF-8 is decoded (ill-formed sequences become
 * U+FFFD) and noted in `illFormedText`: the caller decides.
 *
 * Not re-entrant (state lives on the instance); one decoder per codec.
 */
export class PlainMsgpackDecoder {
  /** After `decode`: some str (or map key) was not well-formed UTF-8. */
  illFormedText = false;
  /**
   * After a `decode` that returned a value: some bin lies at depth
   * `maxDepth` or deeper, where a container would have been refused (the top
   * value is at depth 0). A bin there is decoded, not refused; this tells a
   * caller that applies isWireValue's rule (a Uint8Array counts as a nested
   * object) that it must walk.
   */
  deepBin = false;
  private src: Buffer = EMPTY;
  private pos = 0;
  private nodes = 0;
  /** Recent short ASCII map keys by hash (see shortKey). */
  private readonly keys = new Array<string | undefined>(KEY_CACHE_SIZE);

  constructor(
    private readonly maxNodes: number,
    private readonly maxDepth: number,
  ) {}

  /** Values and map keys in the last `decode` (up to where it stopped, if it refused). */
  get decodedNodes(): number {
    return this.nodes;
  }

  /** The value, or NOT_PLAIN. Never throws. */
  decode(bytes: Uint8Array): unknown {
    this.src = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    this.nodes = 0;
    this.illFormedText = false;
    this.deepBin = false;
    try {
      const value = this.value(0);
      return value !== NOT_PLAIN && this.pos === this.src.length ? value : NOT_PLAIN;
    } finally {
      this.src = EMPTY; // keep no reference to the message
    }
  }

  private value(depth: number): unknown {
    if (++this.nodes > this.maxNodes || this.pos >= this.src.length) return NOT_PLAIN;
    const s = this.src;
    const t = s[this.pos++]!;
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t >= 0xa0 && t <= 0xbf) return this.text(t & 0x1f);
    if (t >= 0x90 && t <= 0x9f) return this.array(t & 0x0f, depth);
    if (t >= 0x80 && t <= 0x8f) return this.map(t & 0x0f, depth);
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.length(1), depth);
      case 0xc5:
        return this.bin(this.length(2), depth);
      case 0xc6:
        return this.bin(this.length(4), depth);
      case 0xca:
        return this.has(4) ? s.readFloatBE((this.pos += 4) - 4) : NOT_PLAIN;
      case 0xcb:
        return this.has(8) ? s.readDoubleBE((this.pos += 8) - 8) : NOT_PLAIN;
      case 0xcc:
        return this.has(1) ? s[this.pos++] : NOT_PLAIN;
      case 0xcd:
        return this.has(2) ? s.readUInt16BE((this.pos += 2) - 2) : NOT_PLAIN;
      case 0xce:
        return this.has(4) ? s.readUInt32BE((this.pos += 4) - 4) : NOT_PLAIN;
      case 0xcf:
        return this.has(8) ? s.readUInt32BE(this.pos) * 0x1_0000_0000 + s.readUInt32BE((this.pos += 8) - 4) : NOT_PLAIN;
      case 0xd0:
        return this.has(1) ? s.readInt8(this.pos++) : NOT_PLAIN;
      case 0xd1:
        return this.has(2) ? s.readInt16BE((this.pos += 2) - 2) : NOT_PLAIN;
      case 0xd2:
        return this.has(4) ? s.readInt32BE((this.pos += 4) - 4) : NOT_PLAIN;
      case 0xd3:
        return this.has(8) ? s.readInt32BE(this.pos) * 0x1_0000_0000 + s.readUInt32BE((this.pos += 8) - 4) : NOT_PLAIN;
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
        return NOT_PLAIN; // 0xc1, ext 8/16/32 (0xc7–0xc9), fixext (0xd4–0xd8)
    }
  }

  private array(n: number, depth: number): unknown {
    // Every element takes at least one byte: a length beyond the bytes left is a lie, refused before allocating.
    if (n < 0 || depth >= this.maxDepth || n > this.src.length - this.pos) return NOT_PLAIN;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const v = depth === 0 ? this.topElement() : this.value(depth + 1);
      if (v === NOT_PLAIN) return NOT_PLAIN;
      out[i] = v;
    }
    return out;
  }

  private map(n: number, depth: number): unknown {
    if (n < 0 || depth >= this.maxDepth || n * 2 > this.src.length - this.pos) return NOT_PLAIN;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = this.key();
      if (k === NOT_PLAIN) return NOT_PLAIN;
      const v = this.value(depth + 1);
      if (v === NOT_PLAIN) return NOT_PLAIN;
      out[k === '__proto__' ? '__proto_' : (k as string)] = v;
    }
    return out;
  }

  /**
   * An element of the top-level array (in a frame: its kind, id, message type
   * or body), as `value` would decode it. A fixstr (at most 31 bytes) goes
   * through the key cache: a frame's message type repeats from message to
   * message like a map key, and is then not built again.
   */
  private topElement(): unknown {
    const t = this.pos < this.src.length ? this.src[this.pos]! : 0;
    if (t < 0xa0 || t > 0xbf) return this.value(1);
    if (++this.nodes > this.maxNodes) return NOT_PLAIN;
    this.pos++;
    return this.shortKey(t & 0x1f);
  }

  /** A map key: a str, counted as a node. */
  private key(): unknown {
    if (++this.nodes > this.maxNodes || this.pos >= this.src.length) return NOT_PLAIN;
    const t = this.src[this.pos++]!;
    if (t >= 0xa0 && t <= 0xbf) return (t & 0x1f) <= 16 ? this.shortKey(t & 0x1f) : this.text(t & 0x1f);
    if (t === 0xd9) return this.text(this.length(1));
    if (t === 0xda) return this.text(this.length(2));
    if (t === 0xdb) return this.text(this.length(4));
    return NOT_PLAIN;
  }

  /**
   * A map key of at most 16 bytes, or a top-level str of at most 31 (see
   * topElement). Keys repeat from message to message, so ASCII ones are
   * looked up in a small cache (compared byte by byte: a hit is always the
   * exact key) instead of being built again.
   */
  private shortKey(n: number): unknown {
    if (!this.has(n)) return NOT_PLAIN;
    const s = this.src;
    const start = this.pos;
    let h = n;
    for (let i = start; i < start + n; i++) {
      const c = s[i]!;
      if (c >= 0x80) return this.text(n);
      h = (h * 31 + c) | 0;
    }
    const slot = h & (KEY_CACHE_SIZE - 1);
    const hit = this.keys[slot];
    if (hit !== undefined && hit.length === n) {
      let i = 0;
      while (i < n && hit.charCodeAt(i) === s[start + i]) i++;
      if (i === n) {
        this.pos += n;
        return hit;
      }
    }
    const key = this.text(n) as string;
    this.keys[slot] = key;
    return key;
  }

  /** A str of `n` bytes; notes (does not reject) ill-formed UTF-8. Short ASCII is built without a decoder call. */
  private text(n: number): unknown {
    if (!this.has(n)) return NOT_PLAIN;
    const s = this.src;
    const start = this.pos;
    const end = start + n;
    this.pos = end;
    if (n <= 16) {
      // The codes go into a scratch array of exactly n slots and become one string (concatenating
      // char by char made n strings; a native toString call costs more than it saves at this size).
      const codes = SHORT_CODES[n]!;
      let j = 0;
      for (; j < n; j++) {
        const c = s[start + j]!;
        if (c >= 0x80) break;
        codes[j] = c;
      }
      if (j === n) return String.fromCharCode.apply(null, codes);
    } else {
      let i = start;
      while (i < end && s[i]! < 0x80) i++;
      if (i === end) return s.toString('latin1', start, end);
    }
    if (!isUtf8(s.subarray(start, end))) this.illFormedText = true;
    return s.toString('utf8', start, end);
  }

  private bin(n: number, depth: number): unknown {
    if (!this.has(n)) return NOT_PLAIN;
    if (depth >= this.maxDepth) this.deepBin = true;
    return this.src.subarray(this.pos, (this.pos += n));
  }

  /** Reads a big-endian length of `size` bytes; -1 if truncated. */
  private length(size: 1 | 2 | 4): number {
    if (!this.has(size)) return -1;
    const s = this.src;
    const p = this.pos;
    this.pos += size;
    return size === 1 ? s[p]! : size === 2 ? s.readUInt16BE(p) : s.readUInt32BE(p);
  }

  private has(n: number): boolean {
    return n >= 0 && n <= this.src.length - this.pos;
  }
}

const EMPTY = Buffer.alloc(0);
/** Per length 0–16, the scratch array text() gathers a short ASCII string's codes in (decode is synchronous: never shared). */
const SHORT_CODES: number[][] = Array.from({ length: 17 }, (_, n) => new Array<number>(n).fill(0));
/** Slots of the key cache (a power of two). */
const KEY_CACHE_SIZE = 512;
