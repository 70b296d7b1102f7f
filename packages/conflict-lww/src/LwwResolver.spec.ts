import { describe, expect, it } from '@jest/globals';
import { asCausalContext, type Sibling } from '@dynamis/core';
import fc from 'fast-check';
import { compareHlc, decodeHlc, encodeHlc } from './hlcVersion';
import { LwwResolver } from './LwwResolver';
import { lwwResolver } from './plugin';

const resolver = () => new LwwResolver({ maxSkewMs: 1000 });
const sib = (physical: number, logical: number, writer: string, value: string | null = 'v'): Sibling => ({
  version: encodeHlc({ physical, logical, writer }),
  value: value === null ? null : Buffer.from(value),
  writtenAt: physical,
});

const arbSibling = fc
  .record({ physical: fc.integer({ min: 0, max: 1000 }), logical: fc.integer({ min: 0, max: 3 }), writer: fc.constantFrom('a', 'b', 'c') })
  .map((h) => sib(h.physical, h.logical, h.writer, `${h.physical}.${h.logical}.${h.writer}`));
const arbSet = fc.array(arbSibling, { maxLength: 4 });

/** Writers whose byte order differs from their numeric order ('node-10' < 'node-9'), and a prefix pair ('a' < 'ab'). */
const WRITERS = ['a', 'ab', 'b', 'node-10', 'node-9'] as const;

/**
 * Siblings that tie often: a timestamp from a tiny range, so many share
 * (physical, logical) and differ only by writer (the tie-break), and the same
 * writer often produces the very same version, sometimes with another value
 * or as a deletion (a writer whose clock went back across a restart).
 */
const arbTied = fc
  .record({
    physical: fc.integer({ min: 7, max: 8 }),
    logical: fc.integer({ min: 0, max: 1 }),
    writer: fc.constantFrom(...WRITERS),
    value: fc.constantFrom('x', 'y', null),
    late: fc.integer({ min: 0, max: 1 }),
    expiresAt: fc.constantFrom(undefined, 100, 200),
  })
  .map((h) => {
    const s = { ...sib(h.physical, h.logical, h.writer, h.value), writtenAt: h.physical + h.late };
    return h.expiresAt === undefined ? s : { ...s, expiresAt: h.expiresAt };
  });
const arbTiedSet = fc.array(arbTied, { maxLength: 5 });

/** The winner the tie rule names: highest (physical, logical), then highest writer id in byte order. */
function expectedWinner(set: readonly Sibling[]): { physical: number; logical: number; writer: string } | undefined {
  let best: { physical: number; logical: number; writer: string } | undefined;
  for (const s of set) {
    const h = decodeHlc(s.version);
    const newer =
      best === undefined ||
      h.physical > best.physical ||
      (h.physical === best.physical &&
        (h.logical > best.logical || (h.logical === best.logical && Buffer.compare(Buffer.from(h.writer), Buffer.from(best.writer)) > 0)));
    if (newer) best = h;
  }
  return best;
}

describe('HLC version encoding', () => {
  it('byte order is (physical, logical, writer) order', () => {
    fc.assert(
      fc.property(arbSibling, arbSibling, (a, b) => {
        const ha = decodeHlc(a.version);
        const hb = decodeHlc(b.version);
        const expected = Math.sign(
          ha.physical - hb.physical || ha.logical - hb.logical || (ha.writer < hb.writer ? -1 : ha.writer > hb.writer ? 1 : 0),
        );
        expect(Math.sign(compareHlc(a.version, b.version))).toBe(expected);
      }),
    );
  });

  it('round-trips and rejects malformed versions', () => {
    expect(decodeHlc(encodeHlc({ physical: 2 ** 45, logical: 7, writer: 'node-1' }))).toEqual({
      physical: 2 ** 45,
      logical: 7,
      writer: 'node-1',
    });
    expect(() => decodeHlc(Uint8Array.of(1, 2, 3))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('LwwResolver', () => {
  it('merge keeps exactly the newest version', () => {
    const r = resolver();
    expect(r.merge([sib(5, 0, 'a')], [sib(7, 0, 'b'), sib(6, 0, 'c')])).toEqual([sib(7, 0, 'b')]);
    expect(r.merge([], [])).toEqual([]);
    expect(r.merge([sib(5, 0, 'b')], [sib(5, 0, 'a')])).toEqual([sib(5, 0, 'b')]);
  });

  it('merge is commutative, associative and idempotent', () => {
    const r = resolver();
    fc.assert(
      fc.property(arbSet, arbSet, arbSet, (a, b, c) => {
        expect(r.merge(a, b)).toEqual(r.merge(b, a));
        expect(r.merge(r.merge(a, b), c)).toEqual(r.merge(a, r.merge(b, c)));
        expect(r.merge(a, a)).toEqual(r.merge([], a));
      }),
    );
  });

  it('equal timestamps: the highest writer id wins, whatever the order the siblings arrive in', () => {
    const r = resolver();
    fc.assert(
      fc.property(arbTiedSet, arbTiedSet, (a, b) => {
        const merged = r.merge(a, b);
        const winner = expectedWinner([...a, ...b]);
        expect(merged.length).toBe(winner === undefined ? 0 : 1);
        if (winner !== undefined) expect(decodeHlc(merged[0]!.version)).toEqual(winner);
        expect(r.merge([], [...b, ...a].reverse())).toEqual(merged);
      }),
    );
    expect(r.merge([sib(7, 0, 'node-9')], [sib(7, 0, 'node-10')])).toEqual([sib(7, 0, 'node-9')]);
    expect(r.merge([sib(7, 0, 'a')], [sib(7, 0, 'ab')])).toEqual([sib(7, 0, 'ab')]);
  });

  it('equal versions (even from the same writer, with other values): merge stays commutative, associative and idempotent', () => {
    const r = resolver();
    fc.assert(
      fc.property(arbTiedSet, arbTiedSet, arbTiedSet, (a, b, c) => {
        expect(r.merge(a, b)).toEqual(r.merge(b, a));
        expect(r.merge(r.merge(a, b), c)).toEqual(r.merge(a, r.merge(b, c)));
        expect(r.merge(a, a)).toEqual(r.merge([], a));
        expect(r.merge(r.merge(a, b), b)).toEqual(r.merge(a, b));
      }),
    );
    // Two replicas holding different writes under one version converge on the same one.
    const x = sib(7, 0, 'a', 'x');
    const y = sib(7, 0, 'a', 'y');
    expect(r.merge([x], [y])).toEqual(r.merge([y], [x]));
  });

  it('stamps strictly increasing versions even when the clock stands still or goes back', () => {
    const r = resolver();
    const a = r.stamp('n1', undefined, [], 1000);
    const b = r.stamp('n1', undefined, [], 1000);
    const c = r.stamp('n1', undefined, [], 500);
    expect(compareHlc(b, a)).toBeGreaterThan(0);
    expect(compareHlc(c, b)).toBeGreaterThan(0);
  });

  it('a write carrying a read context supersedes what was read, even from a node with a slower clock', () => {
    const fast = resolver();
    const slow = resolver();
    const written = { version: fast.stamp('fast', undefined, [], 10_000), value: Buffer.from('x'), writtenAt: 10_000 };
    const context = fast.context([written]);
    const next = slow.stamp('slow', context, [], 2_000);
    expect(compareHlc(next, written.version)).toBeGreaterThan(0);
    expect(slow.descends(slow.context([{ ...written, version: next }]), [written])).toBe(true);
    expect(slow.descends(context, [{ ...written, version: next }])).toBe(false);
  });

  it('the HLC does not go back across a restart: a blind write is stamped above the stored versions of its key', () => {
    const before = resolver();
    const stored = [{ version: before.stamp('n1', undefined, [], 50_000), value: Buffer.from('old'), writtenAt: 50_000 }];
    const restarted = resolver(); // a new process whose clock reads 1 s
    const next = restarted.stamp('n1', undefined, stored, 1_000);
    expect(compareHlc(next, stored[0]!.version)).toBeGreaterThan(0);
    expect(restarted.merge(stored, [{ version: next, value: Buffer.from('new'), writtenAt: 1_000 }])[0]?.value).toEqual(Buffer.from('new'));
  });

  it('the HLC observes versions it merges and validates, so later stamps of any key are above them', () => {
    const merged = resolver();
    merged.merge([], [sib(40_000, 3, 'b')]);
    expect(compareHlc(merged.stamp('n1', undefined, [], 1_000), sib(40_000, 3, 'b').version)).toBeGreaterThan(0);
    const validated = resolver();
    validated.validate(sib(40_500, 0, 'c').version, 40_000);
    expect(compareHlc(validated.stamp('n1', undefined, [], 1_000), sib(40_500, 0, 'c').version)).toBeGreaterThan(0);
    const rejected = resolver();
    expect(() => rejected.validate(sib(90_000, 0, 'c').version, 40_000)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(decodeHlc(rejected.stamp('n1', undefined, [], 1_000)).physical).toBe(1_000);
  });

  it('rejects versions further in the future than maxSkewMs', () => {
    const r = resolver();
    expect(() => r.validate(encodeHlc({ physical: 5000, logical: 0, writer: 'a' }), 4000)).not.toThrow();
    expect(() => r.validate(encodeHlc({ physical: 5001, logical: 0, writer: 'a' }), 4000)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('the context of nothing is empty and every context descends it', () => {
    const r = resolver();
    expect(r.context([])).toEqual(new Uint8Array(0));
    expect(r.descends(asCausalContext(new Uint8Array(0)), [])).toBe(true);
    expect(r.descends(asCausalContext(new Uint8Array(0)), [sib(1, 0, 'a')])).toBe(false);
  });

  it('the plugin validates its options', () => {
    expect(() => lwwResolver({ maxSkewMs: -5 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(lwwResolver().provides).toEqual(['ConflictResolver']);
  });
});
