const MAX_DEPTH = 64;

/**
 * True when `value` is plain data the wire carries unchanged: null,
 * undefined, booleans, numbers, strings, Uint8Array (any subclass, e.g.
 * Buffer), arrays and plain objects (prototype Object.prototype or null) of
 * those, nested at most 64 levels. Anything else (Map, Set, Date, Error,
 * RegExp, bigint, other typed arrays, class instances, functions, symbols,
 * cycles) is false. Used on both ends: the sender rejects such a payload with
 * INVALID_ARGUMENT, the receiver treats it as a protocol violation (msgpackr
 * can decode extension types into such objects; they never reach a handler).
 */
export function isWireValue(value: unknown, depth = 0): boolean {
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
  if (depth >= MAX_DEPTH) return false;
  if (value instanceof Uint8Array) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isWireValue(value[i], depth + 1)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (!isWireValue((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}
