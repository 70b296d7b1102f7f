import { DynamisError } from '../errors/DynamisError';
import { MAX_WIRE_DEPTH, MAX_WIRE_NODES } from './wireValue';

let budget = 0;

/** Byte arrays up to this size are copied into a shared slab (copyBytes); bigger ones get their own ArrayBuffer. */
const MAX_SLABBED = 4096;
const SLAB_BYTES = 64 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabPos = 0;

/**
 * A copy of `src` as a plain Uint8Array. Small copies are carved out of a
 * shared 64 KiB ArrayBuffer (as Buffer.allocUnsafe and engine-lsm's
 * allocBytes do: V8 gives every `new Uint8Array(n)` its own off-heap store,
 * several times dearer, and GC pays for each): the copy's own bytes are
 * written by nobody else, but its `.buffer` is shared, so readers must use
 * `byteOffset`/`byteLength` with it. A slab is never reused; it is freed once
 * no copy in it is referenced.
 */
function copyBytes(src: Uint8Array): Uint8Array {
  const n = src.length;
  if (n > MAX_SLABBED) return new Uint8Array(src);
  if (slabPos + n > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabPos = 0;
  }
  const out = new Uint8Array(slab, slabPos, n);
  out.set(src);
  slabPos = (slabPos + n + 7) & ~7;
  return out;
}

/**
 * Deep-copies a payload the way the wire carries it, so that sender and
 * receiver never share an object: exactly the values isWireValue accepts
 * (null, undefined, booleans, numbers, strings, Uint8Array — any subclass,
 * e.g. Buffer, arrives as a plain Uint8Array with its own bytes — arrays and
 * plain objects of those, at most MAX_WIRE_DEPTH levels and MAX_WIRE_NODES
 * values; small byte arrays share a slab, see copyBytes). Anything else
 * throws INVALID_ARGUMENT naming the path, as a real
 * codec would refuse it. A value reached twice is copied twice (the wire has
 * no references); the node budget bounds the work.
 */
export function wireCopy(value: unknown, path = 'payload'): unknown {
  const saved = budget;
  budget = MAX_WIRE_NODES;
  try {
    return copy(value, 0);
  } catch (err) {
    if (err instanceof Refusal) throw new DynamisError('INVALID_ARGUMENT', `${path}${err.path.reverse().join('')}${err.why}`);
    throw err;
  } finally {
    budget = saved;
  }
}

/**
 * Why a value cannot travel, and where: the path segments are collected while
 * the copy unwinds (innermost first), so a payload that copies fine builds no
 * path string at all.
 */
class Refusal {
  readonly path: string[] = [];
  constructor(readonly why: string) {}
}

function copy(value: unknown, depth: number): unknown {
  if (--budget < 0) throw new Refusal(`: more than ${MAX_WIRE_NODES} values`);
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'string':
      return value;
    case 'object':
      break;
    default:
      throw new Refusal(` is a ${typeof value}, which the wire cannot carry`);
  }
  if (depth >= MAX_WIRE_DEPTH) throw new Refusal(` nests deeper than ${MAX_WIRE_DEPTH} levels (a cycle?)`);
  if (value instanceof Uint8Array) return copyBytes(value);
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    let i = 0;
    try {
      for (; i < value.length; i++) out[i] = copy(value[i], depth + 1);
    } catch (err) {
      if (err instanceof Refusal) err.path.push(`[${i}]`);
      throw err;
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw new Refusal(` is a ${name}, which the wire cannot carry`);
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  let k = 0;
  try {
    for (; k < keys.length; k++) out[keys[k]!] = copy((value as Record<string, unknown>)[keys[k]!], depth + 1);
  } catch (err) {
    if (err instanceof Refusal) err.path.push(`.${keys[k]!}`);
    throw err;
  }
  return out;
}
