import { DynamisError, type Envelope } from '@dynamis/core';

const MAX_DEPTH = 64;

/**
 * Deep-copies a message payload the way a wire codec would carry it, so that
 * sender and receiver never share an object. Accepts what the Envelope
 * contract allows: null, undefined, booleans, numbers, strings, Uint8Array
 * (any subclass, e.g. Buffer, arrives as a plain Uint8Array with its own
 * bytes), arrays and plain objects of those. Anything else (Map, Date, class
 * instances, functions, bigint, symbols, cycles or nesting deeper than 64)
 * throws INVALID_ARGUMENT naming the path, because a real codec would reject
 * it too and the simulation must not accept what production cannot send.
 */
export function wireCopy(value: unknown, path = 'payload', depth = 0): unknown {
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
  if (depth >= MAX_DEPTH) {
    throw new DynamisError('INVALID_ARGUMENT', `${path} nests deeper than ${MAX_DEPTH} levels (a cycle?)`);
  }
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = wireCopy(value[i], `${path}[${i}]`, depth + 1);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw notWire(path, name);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = wireCopy(v, `${path}.${k}`, depth + 1);
  return out;
}

/** Copies an envelope; throws INVALID_ARGUMENT for a non-string type or a payload `wireCopy` rejects. */
export function copyEnvelope(msg: Envelope): Envelope {
  if (typeof msg !== 'object' || msg === null || typeof msg.type !== 'string' || msg.type.length === 0) {
    throw new DynamisError('INVALID_ARGUMENT', 'an envelope needs a non-empty string type');
  }
  return { type: msg.type, payload: wireCopy(msg.payload) };
}

function notWire(path: string, what: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', `${path} is a ${what}, which the wire cannot carry`);
}
