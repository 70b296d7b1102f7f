import { ZIPFIAN_CONSTANT } from './zipfian';

/**
 * YCSB's ZipfianGenerator (constant 0.99) over a growing item count, as
 * SkewedLatestGenerator uses it: `next(items)` draws a rank in [0, items),
 * rank 0 the most popular. zeta(items) is summed once for the first count
 * and extended incrementally when the count grows (O(new items)). Unlike
 * YCSB, eta is recomputed from the current count (YCSB keeps the first
 * count's). `random` returns uniform numbers in [0, 1).
 */
export class ZipfianGenerator {
  private readonly theta = ZIPFIAN_CONSTANT;
  private readonly alpha = 1 / (1 - ZIPFIAN_CONSTANT);
  private readonly zeta2theta = 1 + Math.pow(0.5, ZIPFIAN_CONSTANT);
  private countForZeta = 0;
  private zetan = 0;
  private eta = 0;

  constructor(private readonly random: () => number) {}

  /** A rank in [0, items); `items` a positive integer (throws RangeError otherwise). A smaller count than before is allowed and keeps the larger zeta (as YCSB without allowitemcountdecrease). */
  next(items: number): number {
    if (!Number.isSafeInteger(items) || items < 1) throw new RangeError(`items must be a positive integer, got ${items}`);
    if (items > this.countForZeta) this.grow(items);
    const u = this.random();
    const uz = u * this.zetan;
    if (uz < 1) return 0;
    if (uz < this.zeta2theta) return Math.min(1, items - 1);
    return Math.min(items - 1, Math.floor(items * Math.pow(this.eta * u - this.eta + 1, this.alpha)));
  }

  private grow(items: number): void {
    for (let i = this.countForZeta + 1; i <= items; i++) this.zetan += 1 / Math.pow(i, this.theta);
    this.countForZeta = items;
    this.eta = (1 - Math.pow(2 / items, 1 - this.theta)) / (1 - this.zeta2theta / this.zetan);
  }
}
