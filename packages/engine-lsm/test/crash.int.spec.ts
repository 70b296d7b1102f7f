import { describe, expect, it } from '@jest/globals';
import { SystemClock, type StorageEngine } from '@dynamis/core';
import { LsmStorageEngine, type LsmOptions } from '../src';
import { CrashingFileSystem } from './CrashingFileSystem';
import { prng, smallOptions } from './helpers';

/** Per key: the value of the last acknowledged op (null: deleted, undefined: none yet) and values tried since. */
interface History {
  acked: string | null | undefined;
  tried: Set<string | null>;
}

const WRITERS = 8;
const KEYS_PER_WRITER = 40;

/**
 * One writer: random puts, deletes and small batches over its own keys (so
 * each key sees one op at a time), some with sync: true, until an op fails
 * (the power went) or `ops` are done.
 */
async function writer(
  e: StorageEngine,
  id: number,
  rand: () => number,
  history: Map<string, History>,
  ops: number,
  syncShare: number,
): Promise<void> {
  const note = (k: string, v: string | null): History => {
    const h = history.get(k) ?? { acked: undefined, tried: new Set() };
    h.tried.add(v);
    history.set(k, h);
    return h;
  };
  for (let i = 0; i < ops; i++) {
    const n = 1 + Math.floor(rand() * 3);
    const batch: { k: string; v: string | null }[] = [];
    for (let j = 0; j < n; j++) {
      const k = `w${id}-${String(Math.floor(rand() * KEYS_PER_WRITER)).padStart(3, '0')}`;
      if (batch.some((b) => b.k === k)) continue;
      batch.push({ k, v: rand() < 0.2 ? null : `${k}-v${i}-${'x'.repeat(Math.floor(rand() * 60))}` });
    }
    for (const b of batch) note(b.k, b.v);
    try {
      await e.write(
        batch.map((b) =>
          b.v === null ? { type: 'del', key: Buffer.from(b.k) } : { type: 'put', key: Buffer.from(b.k), value: Buffer.from(b.v) },
        ),
        { sync: rand() < syncShare },
      );
    } catch {
      return;
    }
    for (const b of batch) {
      const h = history.get(b.k)!;
      h.acked = b.v;
      h.tried = new Set();
    }
  }
}

async function check(e: StorageEngine, history: Map<string, History>): Promise<string[]> {
  const problems: string[] = [];
  for (const [k, h] of history) {
    const got = await e.get(Buffer.from(k));
    const value = got === undefined ? null : Buffer.from(got).toString();
    const ok = value === (h.acked ?? null) || h.tried.has(value);
    if (!ok) problems.push(`${k}: got ${value}, last acked ${h.acked}, tried since ${[...h.tried].join('|')}`);
    // What reads back is now the state the next round builds on.
    h.acked = value;
    h.tried = new Set();
  }
  let scanned = 0;
  for await (const [k] of e.iterator()) {
    scanned++;
    if (!history.has(Buffer.from(k).toString())) problems.push(`scan: key ${Buffer.from(k).toString()} was never written`);
  }
  const live = [...history.values()].filter((h) => h.acked !== null && h.acked !== undefined).length;
  if (scanned !== live) problems.push(`scan found ${scanned} keys, ${live} expected`);
  return problems;
}

const ROUNDS = 12;

/** What a run of rounds crashed: how many rounds lost power, and where (`${op} ${file kind}`). */
interface Crashes {
  readonly count: number;
  readonly hits: Set<string>;
}

/**
 * ROUNDS rounds of: open, check, arm a crash 1..600 mutating operations
 * ahead, run the writers until the power goes (or they finish), close.
 */
function runRounds(strategy: 'leveled' | 'tiered', seed: number, extra: LsmOptions, syncShare = 0.1): Promise<Crashes> {
  return (async () => {
    const rand = prng(seed);
    const fs = new CrashingFileSystem({ random: rand });
    const options = smallOptions(strategy, { fsync: 'always', memtableBytes: 4096, ...extra });
    const clock = new SystemClock();
    const history = new Map<string, History>();
    const hits = new Set<string>();
    let count = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const e = new LsmStorageEngine(fs, '/db', options, clock);
      await e.open();
      expect(await check(e, history)).toEqual([]);
      fs.armCrash(1 + Math.floor(rand() * 600), { unsyncedTail: round % 2 === 0 ? 'drop' : 'keep-random-prefix' });
      await Promise.all(
        Array.from({ length: WRITERS }, (_, id) => writer(e, id, prng(seed * 100 + round * 10 + id), history, 150, syncShare)),
      );
      await e.close().catch(() => undefined);
      if (fs.armed) fs.armCrash(0);
      else if (fs.crashedAt !== undefined) {
        count++;
        hits.add(fs.crashedAt.replace(/\d{6}/, 'N'));
      }
    }
    const e = new LsmStorageEngine(fs, '/db', options, clock);
    await e.open();
    expect(await check(e, history)).toEqual([]);
    await e.close();
    return { count, hits };
  })();
}

describe('crash safety on the fault-injecting file system (fsync always, 4 KiB memtables)', () => {
  for (const strategy of ['leveled', 'tiered'] as const) {
    it(`${strategy}: every acknowledged write survives power loss at random points, no deleted key comes back`, async () => {
      const hits = new Set<string>();
      for (const seed of [1, 2, 3, 4]) {
        const crashes = await runRounds(strategy, seed, {});
        expect(crashes.count).toBe(ROUNDS); // the power went in every round
        for (const h of crashes.hits) hits.add(h);
      }
      // The crashes landed in WAL appends and syncs, table writes (flush and compaction) and manifest updates.
      const kinds = [...hits].join(' ');
      expect(kinds).toMatch(/\.log/);
      expect(kinds).toMatch(/\.sst/);
      expect(kinds).toMatch(/MANIFEST|CURRENT|syncDir/);
    }, 120_000);
  }

  it("fsync 'none': writes made with sync: true survive too", async () => {
    const leveled = await runRounds('leveled', 9, { fsync: 'none' }, 1);
    const tiered = await runRounds('tiered', 10, { fsync: 'none' }, 1);
    expect([leveled.count, tiered.count]).toEqual([ROUNDS, ROUNDS]); // the power went in every round
  }, 120_000);

  it('a power loss at every single step of a flush + compaction loses nothing acknowledged', async () => {
    const options = smallOptions('leveled', { fsync: 'always', memtableBytes: 4096 });
    const clock = new SystemClock();
    const expected = new Map<string, string | undefined>();
    for (let i = 0; i < 300; i++) expected.set(`k${i}`, i % 7 === 0 ? undefined : `second-${i}`);
    /** Loads the same data, then crashes `at` steps into compactRange (0: no crash). Returns the steps it took and the one hit. */
    const attempt = async (at: number): Promise<{ steps: string[]; crashed: string | undefined }> => {
      const fs = new CrashingFileSystem();
      const e = new LsmStorageEngine(fs, '/db', options, clock);
      await e.open();
      for (let i = 0; i < 300; i++) await e.put(Buffer.from(`k${i}`), Buffer.from(`first-${i}`.padEnd(30, '.')));
      await e.compactRange();
      for (let i = 0; i < 300; i++) {
        const v = expected.get(`k${i}`);
        await (v === undefined ? e.delete(Buffer.from(`k${i}`)) : e.put(Buffer.from(`k${i}`), Buffer.from(v)));
      }
      const before = fs.trail.length;
      if (at > 0) fs.armCrash(at);
      await e.compactRange().catch(() => undefined);
      await e.close().catch(() => undefined);
      const steps = fs.trail.slice(before);
      const crashed = fs.crashedAt;
      if (fs.armed) fs.armCrash(0); // past the end: no crash this time
      const again = new LsmStorageEngine(fs, '/db', options, clock);
      await again.open();
      for (const [k, v] of expected) {
        const got = await again.get(Buffer.from(k));
        expect([k, got === undefined ? undefined : Buffer.from(got).toString()]).toEqual([k, v]);
      }
      await again.close();
      return { steps, crashed };
    };
    const { steps, crashed: none } = await attempt(0);
    expect(none).toBeUndefined();
    expect(steps.length).toBeGreaterThan(15); // WAL switch, flush, table writes, syncs, manifest edits, removals
    const hits: (string | undefined)[] = [];
    for (let at = 1; at <= steps.length + 5; at++) hits.push((await attempt(at)).crashed);
    // Crash number `at` hit exactly step `at` of the run without a crash; past the last step, none.
    expect(hits).toEqual([...steps, ...Array<undefined>(5).fill(undefined)]);
  }, 120_000);
});
