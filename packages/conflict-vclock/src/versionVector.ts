/**
 * A version vector: for each node, the highest counter of that node's writes
 * it covers. Entries are sorted by node id (ASCII order) with counters >= 1;
 * a node without an entry has counter 0. Immutable; pure functions only.
 */
export type VersionVector = readonly (readonly [node: string, counter: number])[];

/** One write: the `counter`-th write coordinated by `node`. */
export interface Dot {
  readonly node: string;
  readonly counter: number;
}

/** The counter `vv` holds for `node` (0 if none). */
export function vvGet(vv: VersionVector, node: string): number {
  for (const [n, c] of vv) if (n === node) return c;
  return 0;
}

/** True if `vv` covers `dot`, i.e. the write `dot` is in the causal past `vv` describes. */
export function vvCovers(vv: VersionVector, dot: Dot): boolean {
  return vvGet(vv, dot.node) >= dot.counter;
}

/** The pointwise maximum of `a` and `b` (their least upper bound), sorted. */
export function vvJoin(a: VersionVector, b: VersionVector): VersionVector {
  const out: (readonly [string, number])[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x[0] < y[0])) {
      out.push(x!);
      i++;
    } else if (x === undefined || y[0] < x[0]) {
      out.push(y);
      j++;
    } else {
      out.push(x[1] >= y[1] ? x : y);
      i++;
      j++;
    }
  }
  return out;
}

/** `vv` with `dot` added (the counter raised to dot.counter if lower). */
export function vvWithDot(vv: VersionVector, dot: Dot): VersionVector {
  return vvJoin(vv, [[dot.node, dot.counter]]);
}

/** Dot order: by node id, then counter. */
export function compareDots(a: Dot, b: Dot): number {
  return a.node < b.node ? -1 : a.node > b.node ? 1 : a.counter - b.counter;
}
