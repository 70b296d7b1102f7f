import { fromUtf8 } from '../util/bytes';

/**
 * Engine key spaces: the first byte of every engine key says what it holds,
 * so node-local data (hints, metadata) can share the node's engine without
 * colliding with user records. Documented in docs/format.md.
 */
export const KeySpace = {
  /** Replica records: 'd' + UTF-8 user key. */
  data: 0x64,
  /** Hinted-handoff entries (owned by the HintStore plugin). */
  hints: 0x68,
  /** Node metadata (owned by the kernel). */
  meta: 0x6d,
} as const;

/** Engine key of the record for user key `key`. */
export function dataKey(key: string): Uint8Array {
  const out = Buffer.allocUnsafe(1 + Buffer.byteLength(key, 'utf8'));
  out[0] = KeySpace.data;
  out.write(key, 1, 'utf8');
  return out;
}

/** User key of a data-space engine key (throws TypeError if not UTF-8). */
export function userKeyOf(engineKey: Uint8Array): string {
  return fromUtf8(engineKey.subarray(1));
}

export function isDataKey(engineKey: Uint8Array): boolean {
  return engineKey[0] === KeySpace.data;
}

/** [gte, lt) engine-key bounds that cover one key space. */
export function keySpaceRange(space: number): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: Uint8Array.of(space), lt: Uint8Array.of(space + 1) };
}
