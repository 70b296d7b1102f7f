/**
 * YCSB's AcknowledgedCounterGenerator: hands out the record numbers of
 * inserts in order, and knows the limit below which every insert has been
 * acknowledged, so that operations only pick records that exist. Inserts
 * acknowledged out of order wait in a set until the gap below them closes;
 * the set holds at most the inserts in flight (bounded by the concurrency),
 * provided every number handed out is acknowledged once, failed or not.
 */
export class InsertCounter {
  private nextNumber: number;
  private acknowledgedBelow: number;
  private readonly early = new Set<number>();

  /** `start`: the records that exist already (0 … start − 1). */
  constructor(start: number) {
    this.nextNumber = start;
    this.acknowledgedBelow = start;
  }

  /** The record number of the next insert. */
  next(): number {
    return this.nextNumber++;
  }

  /** Marks insert `n` (from next()) settled; a failed insert too, else the limit would stop there. */
  acknowledge(n: number): void {
    if (n !== this.acknowledgedBelow) {
      this.early.add(n);
      return;
    }
    this.acknowledgedBelow++;
    while (this.early.delete(this.acknowledgedBelow)) this.acknowledgedBelow++;
  }

  /** Records 0 … limit − 1 all exist (were loaded or acknowledged). */
  get limit(): number {
    return this.acknowledgedBelow;
  }
}
