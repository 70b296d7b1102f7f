import { describe, expect, it } from '@jest/globals';
import { isDynamisError, ManualClock, type HintStore, type Sibling } from '@dynamis/core';

/** The bounds a store under test is opened with (the suite picks them per case). */
export interface HintStoreBounds {
  readonly maxHintsPerTarget: number;
  readonly maxBytesPerTarget: number;
  /** The hint window, ms of wall clock (Clock.now) from a hint's creation. */
  readonly windowMs: number;
}

/** A store opened over the harness's storage. */
export interface OpenHintStore {
  readonly store: HintStore;
  /** Closes the store and what it was opened over (the storage itself stays, for the next open). */
  close(): Promise<void>;
}

/** One storage (an engine, its files) that stores are opened over, one at a time. */
export interface HintStoreHarness {
  /**
   * Opens a store over this harness's storage with `bounds`, taking time
   * from `clock`; resolves once it is ready for calls. After `close()`,
   * opening again must find every hint whose add resolved.
   */
  open(bounds: HintStoreBounds, clock: ManualClock): Promise<OpenHintStore>;
  /** A sibling the store's resolver accepts, holding `value`. */
  sibling(value: string | null, clock: ManualClock): Sibling;
}

const LARGE: HintStoreBounds = { maxHintsPerTarget: 1000, maxBytesPerTarget: 1 << 24, windowMs: 3_600_000 };
const text = (s: Sibling): string | null => (s.value === null ? null : Buffer.from(s.value).toString());

/**
 * The HintStore port's contract suite (ports/HintStore.ts). Call it at the
 * top level of a spec file: `hintStoreContract('mine', () => harness())`;
 * `factory` returns a harness over fresh, empty storage. The suite checks:
 * pending order and limits, acknowledge (unknown ids ignored), the three
 * bounds (a hint beyond the count or bytes bound is refused with
 * UNAVAILABLE and counted dropped; a hint past the window is never
 * returned and counted dropped), stats, and durability across a reopen
 * of the same storage (hints, ids and id order).
 */
export function hintStoreContract(name: string, factory: () => HintStoreHarness): void {
  async function withStore<T>(bounds: HintStoreBounds, body: (h: HintStoreHarness, s: HintStore, clock: ManualClock) => Promise<T>) {
    const harness = factory();
    const clock = new ManualClock();
    const opened = await harness.open(bounds, clock);
    try {
      return await body(harness, opened.store, clock);
    } finally {
      await opened.close();
    }
  }

  describe(`HintStore contract: ${name}`, () => {
    it('pending returns a target’s hints oldest first, up to the limit, with key, siblings, target and creation time', async () => {
      await withStore(LARGE, async (h, store, clock) => {
        for (let i = 0; i < 5; i++) {
          await store.add('n2', `k${i}`, [h.sibling(`v${i}`, clock)]);
          await clock.advance(10);
        }
        await store.add('n3', 'other', [h.sibling(null, clock)]);
        const all = await store.pending('n2', 100);
        expect(all.map((x) => x.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
        expect(all.map((x) => x.siblings.map(text))).toEqual([['v0'], ['v1'], ['v2'], ['v3'], ['v4']]);
        expect(all.every((x) => x.target === 'n2')).toBe(true);
        expect(all.map((x) => x.createdAt)).toEqual([0, 10, 20, 30, 40].map((t) => all[0]!.createdAt + t));
        expect(new Set(all.map((x) => x.id)).size).toBe(5);
        expect((await store.pending('n2', 2)).map((x) => x.key)).toEqual(['k0', 'k1']);
        expect(await store.pending('n2', 0)).toEqual([]);
        expect((await store.pending('n3', 10)).map((x) => [x.key, x.siblings.map(text)])).toEqual([['other', [null]]]);
        expect(await store.pending('n9', 10)).toEqual([]);
        expect(store.stats().pending).toEqual({ n2: 5, n3: 1 });
      });
    });

    it('keeps siblings exactly: versions, values, writtenAt and expiry', async () => {
      await withStore(LARGE, async (h, store, clock) => {
        const a = h.sibling('a', clock);
        const b = { ...h.sibling('b', clock), expiresAt: clock.now() + 60_000 };
        await store.add('n2', 'k', [a, b]);
        const [hint] = await store.pending('n2', 1);
        expect(hint!.siblings).toEqual([a, b].map((s) => ({ ...s, version: expect.any(Uint8Array) })));
        expect(hint!.siblings.map((s) => Buffer.from(s.version))).toEqual([a, b].map((s) => Buffer.from(s.version)));
      });
    });

    it('acknowledge deletes exactly the given hints and counts them delivered; unknown ids are ignored', async () => {
      await withStore(LARGE, async (h, store, clock) => {
        for (const k of ['a', 'b', 'c']) await store.add('n2', k, [h.sibling(k, clock)]);
        const [a, b, c] = await store.pending('n2', 10);
        await store.acknowledge('n2', [a!.id, c!.id, 'no-such-id', '999999999', b!.id + '0']);
        expect((await store.pending('n2', 10)).map((x) => x.id)).toEqual([b!.id]);
        await store.acknowledge('n3', [b!.id]); // another target's id: ignored
        expect(store.stats()).toMatchObject({ pending: { n2: 1 }, delivered: 2, dropped: 0 });
        await store.acknowledge('n2', [b!.id, b!.id]);
        await store.acknowledge('n2', [b!.id]);
        expect(await store.pending('n2', 10)).toEqual([]);
        expect(store.stats()).toMatchObject({ delivered: 3, dropped: 0 });
        expect(store.stats().pending['n2'] ?? 0).toBe(0);
      });
    });

    it('refuses a hint beyond maxHintsPerTarget (UNAVAILABLE, counted dropped); other targets are not affected', async () => {
      await withStore({ ...LARGE, maxHintsPerTarget: 3 }, async (h, store, clock) => {
        for (const k of ['a', 'b', 'c']) await store.add('n2', k, [h.sibling(k, clock)]);
        const err = await store.add('n2', 'd', [h.sibling('d', clock)]).catch((e: unknown) => e);
        expect(isDynamisError(err) && err.code).toBe('UNAVAILABLE');
        expect((await store.pending('n2', 10)).map((x) => x.key)).toEqual(['a', 'b', 'c']);
        await store.add('n3', 'x', [h.sibling('x', clock)]);
        expect(store.stats()).toMatchObject({ pending: { n2: 3, n3: 1 }, dropped: 1 });
        // room again after an acknowledgement
        await store.acknowledge('n2', [(await store.pending('n2', 1))[0]!.id]);
        await store.add('n2', 'e', [h.sibling('e', clock)]);
        expect((await store.pending('n2', 10)).map((x) => x.key)).toEqual(['b', 'c', 'e']);
      });
    });

    it('refuses a hint beyond maxBytesPerTarget (UNAVAILABLE, counted dropped)', async () => {
      await withStore({ ...LARGE, maxBytesPerTarget: 4096 }, async (h, store, clock) => {
        const big = 'x'.repeat(1500);
        await store.add('n2', 'a', [h.sibling(big, clock)]);
        await store.add('n2', 'b', [h.sibling(big, clock)]);
        const err = await store.add('n2', 'c', [h.sibling(big, clock)]).catch((e: unknown) => e);
        expect(isDynamisError(err) && err.code).toBe('UNAVAILABLE');
        await store.add('n2', 'small', [h.sibling('s', clock)]);
        expect((await store.pending('n2', 10)).map((x) => x.key)).toEqual(['a', 'b', 'small']);
        expect(store.stats().dropped).toBe(1);
      });
    });

    it('never returns a hint past the window; it is deleted and counted dropped', async () => {
      await withStore({ ...LARGE, windowMs: 1000 }, async (h, store, clock) => {
        await store.add('n2', 'old', [h.sibling('old', clock)]);
        await clock.advance(600);
        await store.add('n2', 'young', [h.sibling('young', clock)]);
        await clock.advance(400);
        expect((await store.pending('n2', 10)).map((x) => x.key)).toEqual(['young']);
        expect(store.stats()).toMatchObject({ pending: { n2: 1 }, dropped: 1, delivered: 0 });
        await clock.advance(600);
        expect(await store.pending('n2', 10)).toEqual([]);
        expect(store.stats().dropped).toBe(2);
        expect(store.stats().pending['n2'] ?? 0).toBe(0);
      });
    });

    it('hints, ids, order and the id sequence survive a reopen of the same storage', async () => {
      const harness = factory();
      const clock = new ManualClock();
      let opened = await harness.open(LARGE, clock);
      for (let i = 0; i < 300; i++) await opened.store.add('n4', `bulk-${i}`, [harness.sibling('y'.repeat(100), clock)]);
      await opened.store.add('n3', 'x', [harness.sibling('x', clock)]);
      // c, acknowledged below, is the last hint added: its id must not come back after the reopen
      for (const k of ['a', 'b', 'c']) await opened.store.add('n2', k, [harness.sibling(k, clock)]);
      const before = await opened.store.pending('n2', 10);
      await opened.store.acknowledge('n2', [before[2]!.id]);
      await opened.close();
      opened = await harness.open(LARGE, clock);
      try {
        const after = await opened.store.pending('n2', 10);
        expect(after.map((x) => [x.id, x.key, x.siblings.map(text), x.createdAt])).toEqual(
          before.slice(0, 2).map((x) => [x.id, x.key, x.siblings.map(text), x.createdAt]),
        );
        expect(opened.store.stats().pending).toEqual({ n2: 2, n3: 1, n4: 300 });
        expect((await opened.store.pending('n4', 1000)).map((x) => x.key)).toEqual(Array.from({ length: 300 }, (_, i) => `bulk-${i}`));
        // a hint added after the reopen gets a new id and sorts after the old ones
        await opened.store.add('n2', 'd', [harness.sibling('d', clock)]);
        const now = await opened.store.pending('n2', 10);
        expect(now.map((x) => x.key)).toEqual(['a', 'b', 'd']);
        expect([before[0]!.id, before[1]!.id, before[2]!.id]).not.toContain(now[2]!.id);
        // acknowledging an id from before the reopen still works
        await opened.store.acknowledge('n2', [before[0]!.id]);
        expect((await opened.store.pending('n2', 10)).map((x) => x.key)).toEqual(['b', 'd']);
      } finally {
        await opened.close();
      }
    });

    it('rejects bad arguments with INVALID_ARGUMENT (a bad key: INVALID_KEY) and stores nothing', async () => {
      await withStore(LARGE, async (h, store, clock) => {
        const code = (p: Promise<unknown>) =>
          p.then(
            () => 'resolved',
            (e: unknown) => (isDynamisError(e) ? e.code : String(e)),
          );
        expect(await code(store.add('', 'k', [h.sibling('v', clock)]))).toBe('INVALID_ARGUMENT');
        expect(await code(store.add('n2', '', [h.sibling('v', clock)]))).toBe('INVALID_KEY');
        expect(await code(store.add('n2', 'k', [{ ...h.sibling('v', clock), value: 'no' as unknown as Uint8Array }]))).toBe(
          'INVALID_ARGUMENT',
        );
        expect(await code(store.pending('n2', -1))).toBe('INVALID_ARGUMENT');
        expect(await code(store.acknowledge('n2', [7 as unknown as string]))).toBe('INVALID_ARGUMENT');
        expect(store.stats().pending).toEqual({});
      });
    });
  });
}
