import type { Sibling } from '@dynamis/core';

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function sameSibling(a: Sibling, b: Sibling): boolean {
  return sameBytes(a.version, b.version) && sameBytes(a.value, b.value) && a.writtenAt === b.writtenAt && a.expiresAt === b.expiresAt;
}

/** True when two records hold the same siblings (in any order): read repair skips such a replica. */
export function sameRecord(a: readonly Sibling[], b: readonly Sibling[]): boolean {
  return a.length === b.length && b.every((s) => a.some((t) => sameSibling(s, t)));
}
