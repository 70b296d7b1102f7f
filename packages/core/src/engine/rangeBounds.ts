import type { KeyRange } from '../ports/StorageEngine';

/**
 * A KeyRange resolved to at most one lower and one upper bound. Bounds compare
 * as unsigned bytes (memcmp order, a proper prefix first), as `Buffer.compare`.
 */
export interface RangeBounds {
  /** The lower bound, or undefined when the range is open below. */
  readonly lower: Uint8Array | undefined;
  /** True when `lower` itself is in the range (`gte`), false for `gt`. */
  readonly lowerInclusive: boolean;
  /** The upper bound, or undefined when the range is open above. */
  readonly upper: Uint8Array | undefined;
  /** True when `upper` itself is in the range (`lte`), false for `lt`. */
  readonly upperInclusive: boolean;
}

/** The whole key space. */
export const FULL_RANGE: RangeBounds = Object.freeze({
  lower: undefined,
  lowerInclusive: true,
  upper: undefined,
  upperInclusive: true,
});

/**
 * Resolves `range`: `gt` wins over `gte`, `lt` over `lte`; absent bounds are
 * open. Pure: shares the bound buffers with `range` (copy them first if the
 * caller may reuse them). Does not validate types.
 */
export function rangeBounds(range: KeyRange | undefined): RangeBounds {
  if (range === undefined) return FULL_RANGE;
  const { gt, gte, lt, lte } = range;
  return {
    lower: gt ?? gte,
    lowerInclusive: gt === undefined,
    upper: lt ?? lte,
    upperInclusive: lt === undefined,
  };
}

/** True when `key` is not below the lower bound. */
export function aboveLower(bounds: RangeBounds, key: Uint8Array): boolean {
  if (bounds.lower === undefined) return true;
  const c = Buffer.compare(key, bounds.lower);
  return c > 0 || (c === 0 && bounds.lowerInclusive);
}

/** True when `key` is not above the upper bound. */
export function belowUpper(bounds: RangeBounds, key: Uint8Array): boolean {
  if (bounds.upper === undefined) return true;
  const c = Buffer.compare(key, bounds.upper);
  return c < 0 || (c === 0 && bounds.upperInclusive);
}

/** True when `key` lies within `bounds`. */
export function inRange(bounds: RangeBounds, key: Uint8Array): boolean {
  return aboveLower(bounds, key) && belowUpper(bounds, key);
}

/**
 * True when the bounds exclude every key: lower above upper, or equal and not
 * both inclusive. False does not promise that some key fits.
 */
export function isEmptyRange(bounds: RangeBounds): boolean {
  if (bounds.lower === undefined || bounds.upper === undefined) return false;
  const c = Buffer.compare(bounds.lower, bounds.upper);
  return c > 0 || (c === 0 && !(bounds.lowerInclusive && bounds.upperInclusive));
}
