import { createHash } from 'node:crypto';
import type { Random } from '@dynamis/core';

/**
 * A deterministic Random for the real-process runner (sfc32, its state the
 * SHA-256 of a stream key). `fork(label)` gives the stream `${key}/${label}`,
 * independent of how many numbers the parent drew, as testkit's
 * SeededRandom does; that one cannot be used here because @dynamis/testkit's
 * entry point loads Jest, which refuses to run outside a test.
 */
export class SeededRng implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly key: string | number) {
    const h = createHash('sha256').update(String(key), 'utf8').digest();
    [this.a, this.b, this.c, this.d] = [h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12) | 1];
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** An integer in [min, max], both included. */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  fork(label: string): SeededRng {
    return new SeededRng(`${this.key}/${label}`);
  }
}
