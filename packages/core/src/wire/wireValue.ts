/** Deepest nesting of arrays and objects a payload may have. */
export const MAX_WIRE_DEPTH = 64;

/**
 * Most values (every array element, object property value and leaf counts
 * one) a payload may have. A walk over a payload stops here, so even a
 * shared structure (a DAG whose paths number 2^depth) is checked in bounded
 * time. 1 Mi values: more than a 4 MiB frame of anything but tiny scalars.
 */
export const MAX_WIRE_NODES = 1 << 20;

let budget = 0;

/**
 * True when `value` is plain data the wire carries unchanged: null,
 * undefined, booleans, numbers, strings, Uint8Array (any subclass, e.g.
 * Buffer), arrays and plain objects (prototype Object.prototype or null) of
 * those, nested at most MAX_WIRE_DEPTH levels and at most `maxNodes` values
 * in all (a value reached twice counts twice). Anything else (Map, Set,
 * Date, Error, RegExp, bigint, other typed arrays, class instances,
 * functions, symbols, cycles, too many values) is false. Used on both ends:
 * the sender rejects such a payload with INVALID_ARGUMENT, the receiver
 * treats it as a protocol violation. Runs in time O(maxNodes) at most.
 */
export function isWireValue(value: unknown, maxNodes: number = MAX_WIRE_NODES): boolean {
  const saved = budget; // a getter on a payload object could call back in
  budget = maxNodes;
  try {
    return walk(value, 0);
  } finally {
    budget = saved;
  }
}

function walk(value: unknown, depth: number): boolean {
  if (--budget < 0) return false;
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'string':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (depth >= MAX_WIRE_DEPTH) return false;
  if (value instanceof Uint8Array) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!walk(value[i], depth + 1)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (!walk((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}
