import {
  compareSiblings,
  asCausalContext,
  DynamisError,
  type CausalContext,
  type ConflictResolver,
  type NodeId,
  type Sibling,
  type Version,
} from '@dynamis/core';
import { compareHlc, decodeHlc, encodeHlc, MAX_LOGICAL, type Hlc } from './hlcVersion';

export interface LwwOptions {
  /** Versions further ahead of the local clock than this are rejected (ms). */
  readonly maxSkewMs: number;
}

const EMPTY = asCausalContext(new Uint8Array(0));

/**
 * Last-write-wins over hybrid logical clock timestamps with a node-id
 * tiebreak. Every record keeps exactly one sibling: the newest version; two
 * siblings with one version (which correct writers never produce) are
 * ordered by their content, so every replica keeps the same one.
 *
 * The anomaly, plainly: of two concurrent writes to a key, all but one are
 * lost, silently — the one with the higher timestamp wins even if the other
 * was acknowledged later. A write that carries the context of a read always
 * gets a higher timestamp than what it read (the HLC takes the max), so
 * read-modify-write by one client is never lost to clock skew.
 *
 * The HLC never goes backwards, across a restart too: `stamp` takes the max
 * of `now`, the highest timestamp this instance has seen, and every version
 * in `local` and the context; and the resolver observes every version it
 * accepts in `validate` (and `validateContext` given `now`) and every version `merge` keeps.
 * A restarted node has lost its in-memory HLC, but the key it writes to
 * still holds its previous versions (passed as `local`), so its new version
 * for that key is higher than any it stamped there before.
 */
export class LwwResolver implements ConflictResolver {
  readonly name = 'lww';
  private lastPhysical = 0;
  private lastLogical = 0;

  /** Versions further ahead of `now` than this are refused by validate (the port's maxSkewMs). */
  readonly maxSkewMs: number;
  /** The HLC never goes backwards: each stamp supersedes every earlier one of this instance (the port's stampsMonotonic). */
  readonly stampsMonotonic = true;

  constructor(private readonly options: LwwOptions) {
    this.maxSkewMs = options.maxSkewMs;
  }

  stamp(writer: NodeId, context: CausalContext | undefined, local: readonly Sibling[], now: number): Version {
    for (const s of local) this.observe(decodeHlc(s.version));
    if (context !== undefined && context.length > 0) this.observe(decodeHlc(context));
    let physical = Math.max(now, this.lastPhysical);
    let logical = physical === this.lastPhysical ? this.lastLogical + 1 : 0;
    if (logical > MAX_LOGICAL) {
      physical += 1;
      logical = 0;
    }
    this.lastPhysical = physical;
    this.lastLogical = logical;
    return encodeHlc({ physical, logical, writer });
  }

  merge(stored: readonly Sibling[], incoming: readonly Sibling[]): Sibling[] {
    let best: Sibling | undefined;
    for (const s of stored) if (best === undefined || compareSiblings(s, best) > 0) best = s;
    for (const s of incoming) if (best === undefined || compareSiblings(s, best) > 0) best = s;
    if (best === undefined) return [];
    this.observe(decodeHlc(best.version));
    return [best];
  }

  /** The newest version among `siblings` (same format as a version), or the empty context. */
  context(siblings: readonly Sibling[]): CausalContext {
    let best: Uint8Array | undefined;
    for (const s of siblings) if (best === undefined || compareHlc(s.version, best) > 0) best = s.version;
    return best === undefined ? EMPTY : asCausalContext(best);
  }

  descends(context: CausalContext, siblings: readonly Sibling[]): boolean {
    if (context.length > 0) decodeHlc(context);
    return siblings.every((s) => compareHlc(context, s.version) >= 0);
  }

  validate(version: Version, now: number): void {
    const h = decodeHlc(version);
    this.checkSkew(h, now);
    this.observe(h);
  }

  validateContext(context: CausalContext, now?: number): void {
    if (context instanceof Uint8Array && context.length === 0) return;
    const h = decodeHlc(context);
    if (now === undefined) return;
    this.checkSkew(h, now);
    this.observe(h);
  }

  private checkSkew(h: Hlc, now: number): void {
    const ahead = h.physical - now;
    if (!(ahead <= this.options.maxSkewMs)) {
      throw new DynamisError(
        'INVALID_ARGUMENT',
        `Version is ${ahead} ms ahead of the local clock, more than maxSkewMs (${this.options.maxSkewMs})`,
        { details: { clockSkew: true, aheadMs: ahead, maxSkewMs: this.options.maxSkewMs, writer: h.writer } },
      );
    }
  }

  /** Raises the HLC to `h` (never lowers it). */
  private observe(h: Hlc): void {
    if (h.physical > this.lastPhysical || (h.physical === this.lastPhysical && h.logical > this.lastLogical)) {
      this.lastPhysical = h.physical;
      this.lastLogical = h.logical;
    }
  }
}
