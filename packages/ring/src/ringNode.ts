import type { NodeId } from '@dynamis/core';

/** A node as the claim sees it. */
export interface RingNode {
  readonly id: NodeId;
  /** Positive, finite relative capacity. */
  readonly weight: number;
  /** Failure domain: 'z:' + zone, or 'n:' + id when the node has no zone or zones are ignored. */
  readonly zoneKey: string;
}

const DIGITS = /^[0-9]+$/;
const RUNS = /[0-9]+|[^0-9]+/g;

/**
 * The claim order every node agrees on: ids compared run by run, digit runs
 * by numeric value (so n2 < n10 < n11), other runs by code units; ids equal
 * that way (n01, n1) by code units. A total order depending on the two ids
 * alone, so sorting any permutation of a member set gives the same list.
 */
export function claimOrder(a: { readonly id: NodeId }, b: { readonly id: NodeId }): number {
  if (a.id === b.id) return 0;
  const x = a.id.match(RUNS) ?? [];
  const y = b.id.match(RUNS) ?? [];
  for (let i = 0; i < x.length && i < y.length; i++) {
    const c = compareRun(x[i]!, y[i]!);
    if (c !== 0) return c;
  }
  if (x.length !== y.length) return x.length - y.length;
  return a.id < b.id ? -1 : 1;
}

function compareRun(x: string, y: string): number {
  if (DIGITS.test(x) && DIGITS.test(y)) {
    const u = x.replace(/^0+(?=.)/, '');
    const v = y.replace(/^0+(?=.)/, '');
    if (u.length !== v.length) return u.length - v.length;
    if (u !== v) return u < v ? -1 : 1;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}
