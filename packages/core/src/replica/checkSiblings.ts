import { DynamisError, isDynamisError } from '../errors/DynamisError';
import type { Limits } from '../kernel/requestChecks';
import type { ConflictResolver } from '../ports/ConflictResolver';
import type { Sibling } from '../ports/types';
import { REPLICA_MAX_SIBLINGS, REPLICA_MAX_VERSION_BYTES } from './replicaProtocol';

/**
 * Checks siblings received from outside this node (a peer's write, a peer's
 * read reply) before anything stores or merges them: at most
 * REPLICA_MAX_SIBLINGS, each a version of 1–REPLICA_MAX_VERSION_BYTES bytes
 * that `resolver.validate(version, now)` accepts, a value of bytes (at most
 * limits.maxValueBytes) or null, a finite non-negative `writtenAt`, and a
 * finite `expiresAt` when present. Throws INVALID_ARGUMENT naming the key and
 * the sibling, with the resolver's own details of a rejected version (LWW's
 * `clockSkew: true`, `aheadMs`, `maxSkewMs` for a version too far ahead of
 * `now`); never changes anything.
 */
export function checkIncomingSiblings(
  key: string,
  siblings: readonly Sibling[],
  resolver: ConflictResolver,
  now: number,
  limits: Limits,
): void {
  if (!Array.isArray(siblings)) throw bad(key, 'siblings must be an array');
  if (siblings.length > REPLICA_MAX_SIBLINGS) throw bad(key, `${siblings.length} siblings, at most ${REPLICA_MAX_SIBLINGS}`);
  for (let i = 0; i < siblings.length; i++) {
    const s = siblings[i]!;
    const why = problem(s, limits);
    if (why !== undefined) throw bad(key, `sibling ${i}${why}`);
    try {
      resolver.validate(s.version, now);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new DynamisError('INVALID_ARGUMENT', `key ${JSON.stringify(key)}, sibling ${i}: version rejected by ${resolver.name}: ${why}`, {
        cause: err,
        details: {
          ...resolverDetails(err),
          key,
          sibling: i,
          resolver: resolver.name,
          ...(isDynamisError(err) ? { reason: err.code } : {}),
        },
      });
    }
  }
}

/**
 * The resolver's own details of a rejection (e.g. LWW's `clockSkew: true,
 * aheadMs, maxSkewMs`), so the sender learns why; only plain JSON values.
 */
function resolverDetails(err: unknown): Record<string, unknown> {
  if (!isDynamisError(err) || typeof err.details !== 'object' || err.details === null) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err.details))
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

/** What is wrong with the shape of `s` (the message's tail after "sibling i"), or undefined. Builds no string when fine. */
function problem(s: Sibling, limits: Limits): string | undefined {
  if (typeof s !== 'object' || s === null) return ' is not an object';
  if (!(s.version instanceof Uint8Array) || s.version.length === 0 || s.version.length > REPLICA_MAX_VERSION_BYTES)
    return `: version must be 1–${REPLICA_MAX_VERSION_BYTES} bytes`;
  if (s.value !== null && !(s.value instanceof Uint8Array)) return ': value must be bytes or null';
  if (s.value !== null && s.value.length > limits.maxValueBytes)
    return `: value of ${s.value.length} bytes is over limits.maxValueBytes (${limits.maxValueBytes})`;
  if (typeof s.writtenAt !== 'number' || !Number.isFinite(s.writtenAt) || s.writtenAt < 0)
    return ': writtenAt must be a finite number >= 0';
  if (s.expiresAt !== undefined && (typeof s.expiresAt !== 'number' || !Number.isFinite(s.expiresAt)))
    return ': expiresAt must be a finite number';
  return undefined;
}

function bad(key: string, why: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', `key ${JSON.stringify(key)}: ${why}`, { details: { key } });
}
