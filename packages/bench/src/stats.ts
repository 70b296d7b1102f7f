/** The median of the finite numbers of `values` (mean of the two middle ones for an even count); NaN if there are none. Pure. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}
