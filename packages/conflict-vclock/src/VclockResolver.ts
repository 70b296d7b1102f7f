import {
  compareSiblings,
  DynamisError,
  type CausalContext,
  type ConflictResolver,
  type NodeId,
  type Sibling,
  type Version,
} from '@dynamis/core';
import { decodeContext, decodeVersion, encodeContext, encodeVersion, type Dvv } from './dvvCodec';
import { compareDots, vvCovers, vvGet, vvJoin, vvWithDot, type VersionVector } from './versionVector';

export interface VclockOptions {
  /**
   * A write that would leave more siblings than this at its coordinator is
   * refused with CONFLICT (details.condition 'maxSiblings'): read the key and
   * write with the context of that read, which resolves them.
   */
  readonly maxSiblings: number;
  /**
   * Most entries (distinct coordinating nodes) in a context or a version's
   * past. Larger incoming ones are INVALID_ARGUMENT; a write whose context
   * would exceed it is refused with INVALID_ARGUMENT. Never pruned.
   */
  readonly maxContextEntries: number;
}

interface Decoded {
  readonly sibling: Sibling;
  readonly dvv: Dvv;
}

/**
 * Dotted version vectors (Preguiça, Baquero et al.; Riak's DVV): each
 * sibling's version is a dot — (coordinator, counter), naming one write —
 * plus its causal past, the version vector of the context the client sent.
 * A sibling is superseded exactly when another sibling's past covers its
 * dot. Contexts are version vectors: the join of the siblings' pasts and
 * dots. Two writes through one coordinator get distinct dots and pasts that
 * are only what each client read, so concurrent writes stay siblings and a
 * write never falsely supersedes what its client did not read; a write
 * carrying the context of a read supersedes everything that read returned.
 *
 * A coordinator takes its counter above every counter of its own in the
 * context, in its stored siblings (dots and pasts) and in what this
 * instance has issued, so its dots are unique while it keeps its records.
 * Contexts cover every dot of a node up to the counter, which is sound when
 * the coordinator is a replica of the key and replicas exchange whole
 * records (as Riak's dvvset); see the README's "Limits".
 */
export class VclockResolver implements ConflictResolver {
  readonly name = 'vclock';
  /** Highest counter this instance issued, per writer (one entry per coordinating node id). */
  private readonly issued = new Map<NodeId, number>();

  constructor(private readonly options: VclockOptions) {}

  stamp(writer: NodeId, context: CausalContext | undefined, local: readonly Sibling[], _now: number): Version {
    const past = context === undefined ? [] : decodeContext(context, this.options.maxContextEntries);
    let counter = Math.max(vvGet(past, writer), this.issued.get(writer) ?? 0);
    let view: VersionVector = past;
    let survivors = 0;
    for (const s of local) {
      const { dot, past: sp } = decodeVersion(s.version, this.options.maxContextEntries);
      if (dot.node === writer) counter = Math.max(counter, dot.counter);
      counter = Math.max(counter, vvGet(sp, writer));
      if (!vvCovers(past, dot)) {
        survivors++;
        view = vvJoin(view, vvWithDot(sp, dot));
      }
    }
    const dot = { node: writer, counter: counter + 1 };
    if (survivors + 1 > this.options.maxSiblings) {
      throw new DynamisError(
        'CONFLICT',
        `The write would leave ${survivors + 1} siblings, more than maxSiblings (${this.options.maxSiblings}); read the key and write with that context`,
        { details: { condition: 'maxSiblings', siblings: survivors + 1, max: this.options.maxSiblings } },
      );
    }
    const entries = vvWithDot(view, dot).length;
    if (entries > this.options.maxContextEntries) {
      throw new DynamisError(
        'INVALID_ARGUMENT',
        `The key's context would have ${entries} entries, more than maxContextEntries (${this.options.maxContextEntries})`,
        { details: { entries, max: this.options.maxContextEntries } },
      );
    }
    this.issued.set(writer, dot.counter);
    return encodeVersion({ dot, past });
  }

  /**
   * The siblings of both sets that no other sibling supersedes, one per dot
   * (two siblings with one dot are one write: the greater by compareSiblings
   * is kept), ordered by dot.
   */
  merge(stored: readonly Sibling[], incoming: readonly Sibling[]): Sibling[] {
    const byDot = new Map<string, Decoded>();
    for (const sibling of [...stored, ...incoming]) {
      const dvv = decodeVersion(sibling.version, this.options.maxContextEntries);
      const key = `${dvv.dot.node}:${dvv.dot.counter}`;
      const other = byDot.get(key);
      if (other === undefined || compareSiblings(sibling, other.sibling) > 0) byDot.set(key, { sibling, dvv });
    }
    const all = [...byDot.values()];
    return all
      .filter((d) => !all.some((o) => vvCovers(o.dvv.past, d.dvv.dot)))
      .sort((a, b) => compareDots(a.dvv.dot, b.dvv.dot))
      .map((d) => d.sibling);
  }

  /** The join of every sibling's past and dot; empty (zero bytes) for no siblings. */
  context(siblings: readonly Sibling[]): CausalContext {
    let vv: VersionVector = [];
    for (const s of siblings) {
      const { dot, past } = decodeVersion(s.version, this.options.maxContextEntries);
      vv = vvJoin(vv, vvWithDot(past, dot));
    }
    return encodeContext(vv);
  }

  descends(context: CausalContext, siblings: readonly Sibling[]): boolean {
    const vv = decodeContext(context, this.options.maxContextEntries);
    return siblings.every((s) => vvCovers(vv, decodeVersion(s.version, this.options.maxContextEntries).dot));
  }

  /** Format and bounds only: a dotted version vector carries no time, so `now` is not used. */
  validate(version: Version, _now: number): void {
    decodeVersion(version, this.options.maxContextEntries);
  }

  validateContext(context: CausalContext, _now?: number): void {
    decodeContext(context, this.options.maxContextEntries);
  }
}
