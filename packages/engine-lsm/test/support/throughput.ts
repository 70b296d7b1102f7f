/**
 * Helpers for the opt-in throughput specs (*.slow.spec.ts): seeded keys and
 * a best-of-N timer. Figures are printed, never asserted (absolute times on
 * shared machines drift; see DESIGN.md "Benchmarks").
 */

/** `n` pseudo-random keys of `len` bytes from a fixed seed. */
export function randomKeys(n: number, len: number, seed = 12345): Uint8Array[] {
  const keys: Uint8Array[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    const k = new Uint8Array(len);
    for (let j = 0; j < len; j++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      k[j] = s >>> 24;
    }
    keys.push(k);
  }
  return keys;
}

/** Runs `body` (which performs `ops` operations) `rounds` times; returns the best ops/s. */
export function bestRate(rounds: number, ops: number, body: (round: number) => void): number {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    body(r);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, ops / secs);
  }
  return Math.round(best);
}
