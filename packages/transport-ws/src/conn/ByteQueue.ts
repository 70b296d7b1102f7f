/**
 * A FIFO of encoded frames with a running byte count. Amortised O(1) push and
 * shift (a head index, compacted when half the array is consumed).
 */
export class ByteQueue {
  private items: Buffer[] = [];
  private head = 0;
  /** Total bytes of the queued frames. */
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(frame: Buffer): void {
    this.items.push(frame);
    this.bytes += frame.length;
  }

  /** The oldest frame, removed; undefined when empty. */
  shift(): Buffer | undefined {
    if (this.head >= this.items.length) return undefined;
    const frame = this.items[this.head]!;
    this.items[this.head] = undefined as unknown as Buffer;
    this.head++;
    this.bytes -= frame.length;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}
