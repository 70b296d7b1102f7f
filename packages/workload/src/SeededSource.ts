/**
 * A small seeded uniform source (sfc32, Chris Doty-Humphrey's Small Fast
 * Counting generator): the same seed always gives the same numbers. Not for
 * secrets. `salt` derives independent streams from one seed.
 */
export class SeededSource {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  /** `seed` and `salt` are safe integers (other numbers are truncated to their low 32 bits). */
  constructor(seed: number, salt = 0) {
    this.a = seed >>> 0;
    this.b = Math.floor(seed / 4294967296) >>> 0;
    this.c = (salt * 0x9e3779b9) >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    return (this.u32() * 2097152 + (this.u32() >>> 11)) / 9007199254740992;
  }

  /** An integer in [0, bound); `bound` a positive integer ≤ 2^53. */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  private u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
}
