/*
 * Building blocks of the fast parsers (fastParse.ts), each the exact
 * acceptance rule of the zod 4 schema it is named after. Shared by every
 * protocol's fast parsers (client, replica, plugins').
 */

/**
 * A plain object (prototype Object.prototype or null), what a decoded frame
 * holds. zod's z.object(...) accepts any non-array object (a Date, a class
 * instance); a fast parser declines those and lets zod decide, so that the
 * value it returns as parsed is always plain data.
 */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The `.strict()` rule: every enumerable key (own or inherited, as `for…in`
 * lists them, `__proto__` included) is one of `keys`.
 */
export function onlyKeys(o: object, keys: ReadonlySet<string>): boolean {
  for (const k in o) if (!keys.has(k)) return false;
  return true;
}

/** z.number(): a finite number (zod 4 refuses NaN and ±Infinity). */
export function isZodNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** z.number().int(): a safe integer. */
export function isZodInt(v: unknown): v is number {
  return Number.isSafeInteger(v);
}

/** z.instanceof(Uint8Array) / a bytes custom check: any Uint8Array, Buffer included. */
export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/** An optional key's rule: absent (undefined) or accepted by `check`. */
export function optional(v: unknown, check: (v: unknown) => boolean): boolean {
  return v === undefined || check(v);
}

/**
 * Copies `key` of `from` to `to` the way zod's stripping object does: a
 * present key (`in`, even when undefined) is copied; an absent one is left out.
 */
export function copyPresent(from: Record<string, unknown>, to: Record<string, unknown>, key: string): void {
  const v = from[key];
  if (v !== undefined || key in from) to[key] = v;
}
