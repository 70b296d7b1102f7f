import { DynamisError, type CausalContext, type ConflictResolver, type NodeId, type Sibling, type Version } from '@dynamis/core';
import { compareHlc, decodeHlc, encodeHlc, MAX_LOGICAL } from './hlcVersion';

export interface LwwOptions {
  /** Versions further ahead of the local clock than this are rejected (ms). */
  readonly maxSkewMs: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Last-write-wins over hybrid logical clock timestamps with a node-id
 * tiebreak. Every record keeps exactly one sibling: the newest version.
 *
 * The anomaly, plainly: of two concurrent writes to a key, all but one are
 * lost, silently — the one with the higher timestamp wins even if the other
 * was acknowledged later. A write that carries the context of a read always
 * gets a higher timestamp than what it read (the HLC takes the max), so
 * read-modify-write by one client is never lost to clock skew.
 */
export class LwwResolver implements ConflictResolver {
  readonly name = 'lww';
  private lastPhysical = 0;
  private lastLogical = 0;

  constructor(private readonly options: LwwOptions) {}

  stamp(writer: NodeId, context: CausalContext | undefined, local: readonly Sibling[], now: number): Version {
    let remotePhysical = 0;
    let remoteLogical = 0;
    const seen = [...local.map((s) => s.version), ...(context !== undefined && context.length > 0 ? [context] : [])];
    for (const v of seen) {
      const h = decodeHlc(v);
      if (h.physical > remotePhysical || (h.physical === remotePhysical && h.logical > remoteLogical)) {
        remotePhysical = h.physical;
        remoteLogical = h.logical;
      }
    }
    const physical = Math.max(now, this.lastPhysical, remotePhysical);
    let logical = 0;
    if (physical === this.lastPhysical) logical = Math.max(logical, this.lastLogical + 1);
    if (physical === remotePhysical) logical = Math.max(logical, remoteLogical + 1);
    if (logical > MAX_LOGICAL) return this.stamp(writer, context, local, physical + 1);
    this.lastPhysical = physical;
    this.lastLogical = logical;
    return encodeHlc({ physical, logical, writer });
  }

  /**
   * Keeps the sibling with the highest version. Two different siblings under
   * one version (a writer whose clock went back across a restart) are
   * ordered by content (a deletion first, then value bytes, writtenAt,
   * expiresAt), so every replica keeps the same one whatever the order.
   */
  merge(stored: readonly Sibling[], incoming: readonly Sibling[]): Sibling[] {
    let best: Sibling | undefined;
    for (const s of stored) if (best === undefined || compareSiblings(s, best) > 0) best = s;
    for (const s of incoming) if (best === undefined || compareSiblings(s, best) > 0) best = s;
    return best === undefined ? [] : [best];
  }

  context(siblings: readonly Sibling[]): CausalContext {
    let best: Uint8Array | undefined;
    for (const s of siblings) if (best === undefined || compareHlc(s.version, best) > 0) best = s.version;
    return best ?? EMPTY;
  }

  descends(context: CausalContext, siblings: readonly Sibling[]): boolean {
    if (context.length > 0) decodeHlc(context);
    return siblings.every((s) => compareHlc(context, s.version) >= 0);
  }

  validate(version: Version, now: number): void {
    const h = decodeHlc(version);
    const ahead = h.physical - now;
    if (ahead > this.options.maxSkewMs) {
      throw new DynamisError(
        'INVALID_ARGUMENT',
        `Version is ${ahead} ms ahead of the local clock, more than maxSkewMs (${this.options.maxSkewMs})`,
        {
          details: { aheadMs: ahead, maxSkewMs: this.options.maxSkewMs, writer: h.writer },
        },
      );
    }
  }
}

/** Version order, then content order for siblings sharing a version (see merge). */
function compareSiblings(a: Sibling, b: Sibling): number {
  return compareHlc(a.version, b.version) || compareValues(a.value, b.value) || Math.sign(a.writtenAt - b.writtenAt) || compareExpiry(a, b);
}

/** A deletion (null) first, then values in byte order. */
function compareValues(a: Uint8Array | null, b: Uint8Array | null): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  return Buffer.compare(a, b);
}

/** Earlier expiry first; no expiry last. */
function compareExpiry(a: Sibling, b: Sibling): number {
  const x = a.expiresAt ?? Infinity;
  const y = b.expiresAt ?? Infinity;
  return x === y ? 0 : x < y ? -1 : 1;
}
