import type { Sibling } from '../ports/types';

/**
 * A total order on whole siblings: version bytes, then value (a tombstone
 * before any value, then bytewise), then writtenAt, then expiresAt (absent
 * first). Two siblings compare 0 only when they are identical, so a merge
 * that keeps the greatest is commutative even when two siblings carry one
 * version (the equal-version tie: a bug or a forged write elsewhere, resolved
 * the same way on every replica).
 */
export function compareSiblings(a: Sibling, b: Sibling): number {
  return (
    Buffer.compare(a.version, b.version) ||
    compareValues(a.value, b.value) ||
    Math.sign(a.writtenAt - b.writtenAt) ||
    Math.sign((a.expiresAt ?? -Infinity) - (b.expiresAt ?? -Infinity)) ||
    0
  );
}

function compareValues(a: Uint8Array | null, b: Uint8Array | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return Buffer.compare(a, b);
}
