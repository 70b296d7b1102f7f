import { DynamisError } from '../errors/DynamisError';
import { MAX_WIRE_DEPTH, MAX_WIRE_NODES } from './wireValue';

let budget = 0;

/**
 * Deep-copies a payload the way the wire carries it, so that sender and
 * receiver never share an object: exactly the values isWireValue accepts
 * (null, undefined, booleans, numbers, strings, Uint8Array — any subclass,
 * e.g. Buffer, arrives as a plain Uint8Array with its own bytes — arrays and
 * plain objects of those, at most MAX_WIRE_DEPTH levels and MAX_WIRE_NODES
 * values). Anything else throws INVALID_ARGUMENT naming the path, as a real
 * codec would refuse it. A value reached twice is copied twice (the wire has
 * no references); the node budget bounds the work.
 */
export function wireCopy(value: unknown, path = 'payload'): unknown {
  const saved = budget;
  budget = MAX_WIRE_NODES;
  try {
    return copy(value, path, 0);
  } finally {
    budget = saved;
  }
}

function copy(value: unknown, path: string, depth: number): unknown {
  if (--budget < 0) throw new DynamisError('INVALID_ARGUMENT', `${path}: more than ${MAX_WIRE_NODES} values`);
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'string':
      return value;
    case 'object':
      break;
    default:
      throw notWire(path, typeof value);
  }
  if (depth >= MAX_WIRE_DEPTH) {
    throw new DynamisError('INVALID_ARGUMENT', `${path} nests deeper than ${MAX_WIRE_DEPTH} levels (a cycle?)`);
  }
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], `${path}[${i}]`, depth + 1);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw notWire(path, name);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = copy(v, `${path}.${k}`, depth + 1);
  return out;
}

function notWire(path: string, what: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', `${path} is a ${what}, which the wire cannot carry`);
}
