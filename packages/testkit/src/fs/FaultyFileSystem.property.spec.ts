import { SeededRandom } from '../sim/SeededRandom';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { WritableFile } from '@dynamis/core';
import { FaultyFileSystem } from './FaultyFileSystem';

// Model-based check of the crash model: a deliberately naive model (copies
// everywhere) of what POSIX promises, run against random operation sequences.

type Cmd =
  | { t: 'create'; f: number }
  | { t: 'append'; f: number; data: Uint8Array }
  | { t: 'sync'; f: number }
  | { t: 'rename'; from: number; to: number }
  | { t: 'remove'; f: number }
  | { t: 'syncDir' }
  | { t: 'crash'; torn: boolean };

/** A file as the model sees it: all bytes written, and the content at its last sync. */
interface Inode {
  live: number[];
  durable: number[];
  handle: WritableFile | undefined;
}

const FILES = 3;
const file = fc.nat({ max: FILES - 1 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('create' as const), f: file }), weight: 3 },
  {
    arbitrary: fc.record({ t: fc.constant('append' as const), f: file, data: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    weight: 5,
  },
  { arbitrary: fc.record({ t: fc.constant('sync' as const), f: file }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('rename' as const), from: file, to: file }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('remove' as const), f: file }), weight: 1 },
  { arbitrary: fc.constant({ t: 'syncDir' as const }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('crash' as const), torn: fc.boolean() }), weight: 1 },
);

/** A deterministic PRNG giving floats in [0, 1) (testkit's SeededRandom), so tests need no Math.random. */
function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

const startsWith = (whole: number[], prefix: number[]): boolean => prefix.length <= whole.length && prefix.every((b, i) => whole[i] === b);

const path = (f: number): string => `/db/f${f}`;

class Harness {
  readonly fs: FaultyFileSystem;
  live = new Map<string, Inode>();
  durable = new Map<string, Inode>();

  constructor(seed: number) {
    this.fs = new FaultyFileSystem({ random: seeded(seed) });
    this.fs.mkdirp('/db');
  }

  async run(c: Cmd): Promise<void> {
    switch (c.t) {
      case 'create': {
        const handle = this.fs.create(path(c.f));
        const inode = this.live.get(path(c.f));
        if (inode === undefined) this.live.set(path(c.f), { live: [], durable: [], handle });
        else Object.assign(inode, { live: [], handle });
        return;
      }
      case 'append': {
        let inode = this.live.get(path(c.f));
        if (inode === undefined) {
          inode = { live: [], durable: [], handle: this.fs.openAppend(path(c.f)) }; // creates the file
          this.live.set(path(c.f), inode);
        }
        inode.handle ??= this.fs.openAppend(path(c.f));
        inode.handle.append(c.data);
        inode.live.push(...c.data);
        return;
      }
      case 'sync': {
        const inode = this.live.get(path(c.f));
        if (inode === undefined) return;
        inode.handle ??= this.fs.openAppend(path(c.f));
        await inode.handle.sync();
        inode.durable = [...inode.live];
        return;
      }
      case 'rename': {
        const inode = this.live.get(path(c.from));
        if (inode === undefined || c.from === c.to) return;
        this.fs.rename(path(c.from), path(c.to));
        this.live.set(path(c.to), inode);
        this.live.delete(path(c.from));
        return;
      }
      case 'remove':
        this.fs.remove(path(c.f));
        this.live.delete(path(c.f));
        return;
      case 'syncDir':
        await this.fs.syncDir('/db');
        this.durable = new Map(this.live);
        return;
      case 'crash':
        this.fs.crash({ unsyncedTail: c.torn ? 'keep-random-prefix' : 'drop' });
        this.checkAfterCrash(c.torn);
    }
  }

  /** Every live name reads back exactly what was written to its file. */
  checkLive(): void {
    expect(this.fs.list('/db')).toEqual([...this.live.keys()].map((p) => p.slice(4)).sort());
    for (const [p, inode] of this.live) expect([...this.fs.readFile(p)]).toEqual(inode.live);
  }

  /**
   * Exactly the dir-synced names exist; each holds its synced bytes and, if
   * torn writes are on, possibly a prefix of what was appended after them.
   * Then the model adopts what survived.
   */
  private checkAfterCrash(torn: boolean): void {
    this.live = new Map(this.durable);
    expect(this.fs.list('/db')).toEqual([...this.live.keys()].map((p) => p.slice(4)).sort());
    for (const [p, inode] of this.live) {
      const actual = [...this.fs.readFile(p)];
      if (torn && startsWith(inode.live, inode.durable)) {
        expect(startsWith(actual, inode.durable)).toBe(true);
        expect(startsWith(inode.live, actual)).toBe(true);
      } else {
        expect(actual).toEqual(inode.durable);
      }
      Object.assign(inode, { live: actual, durable: [...actual], handle: undefined });
    }
  }
}

describe('FaultyFileSystem crash model (property)', () => {
  it('after any sequence and a crash, synced bytes under dir-synced names survive and nothing unwritten appears', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.array(cmd, { maxLength: 40 }), fc.boolean(), async (seed, cmds, torn) => {
        const h = new Harness(seed);
        for (const c of cmds) {
          await h.run(c);
          h.checkLive();
        }
        await h.run({ t: 'crash', torn });
        h.checkLive();
      }),
      { numRuns: 1000 },
    );
  });
});
