import { describe, expect, it } from '@jest/globals';
import { asCausalContext, asVersion, DynamisError, type ConflictResolver, type NodeId, type Sibling } from '@dynamis/core';
import fc from 'fast-check';
import { arbHistorySteps, copySiblings, runHistory, sameSibling, type History } from './conflictResolverHistory';

/** What a ConflictResolver under test hands the suite. */
export interface ConflictResolverContractOptions {
  /** A fresh resolver, as a node would have after a (re)start. Called many times. */
  readonly create: () => ConflictResolver;
  /** Node ids of the generated histories; default ['n1', 'n2', 'n3']. */
  readonly nodes?: readonly NodeId[];
  /**
   * Set when the resolver rejects versions (and contexts, given `now`)
   * stamped more than this many ms ahead of the validating node's clock; the
   * suite then checks both sides of that bound.
   */
  readonly maxSkewMs?: number;
  /** Resolver-specific inputs each of which must be rejected with INVALID_ARGUMENT (e.g. too many entries). */
  readonly malformed?: { readonly versions?: readonly Uint8Array[]; readonly contexts?: readonly Uint8Array[] };
  /** fast-check runs per property; default 100. */
  readonly numRuns?: number;
}

/** Runs `fn`; fails the test unless it returns or throws a DynamisError INVALID_ARGUMENT. Returns whether it threw. */
function rejectsOnlyAsInvalid(fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    expect(err).toBeInstanceOf(DynamisError);
    expect((err as DynamisError).code).toBe('INVALID_ARGUMENT');
    return true;
  }
}

/**
 * The contract every ConflictResolver must pass, in one call:
 * `conflictResolverContract('lww', { create: () => new LwwResolver(opts), maxSkewMs: 1000 })`.
 *
 * Sibling sets are not made up: the suite generates histories (writes
 * through any node, blind or with the context of a read of any replica,
 * deletes, whole-record syncs between replicas; see conflictResolverHistory)
 * and checks the properties over every record those histories produce, so a
 * resolver need not accept arbitrary bytes as versions. It checks: merge is
 * commutative, associative, idempotent, deterministic in order, pure and
 * drops only superseded siblings; a write stamped with a read's context
 * supersedes what the read returned (also from a restarted resolver with a
 * clock behind); two writes never share a version; equal versions tie
 * deterministically; validate/validateContext accept what the resolver made
 * and reject garbage, oversize and (with maxSkewMs) far-future input with
 * INVALID_ARGUMENT, never another error.
 */
export function conflictResolverContract(name: string, options: ConflictResolverContractOptions): void {
  const nodes = options.nodes ?? ['n1', 'n2', 'n3'];
  const numRuns = options.numRuns ?? 100;
  const history = (steps: Parameters<typeof runHistory>[2]): History => runHistory(options.create, nodes, steps);
  const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;
  const arbPicks = fc.tuple(fc.nat(), fc.nat(), fc.nat());

  describe(`ConflictResolver contract: ${name}`, () => {
    it('merge is commutative, associative and idempotent over the records of any history, whichever instance runs it', () => {
      fc.assert(
        fc.property(arbHistorySteps(), arbPicks, (steps, [i, j, k]) => {
          const h = history(steps);
          const [a, b, c] = [pick(h.states, i), pick(h.states, j), pick(h.states, k)];
          const r1 = options.create();
          const r2 = options.create();
          expect(r1.merge(a, b)).toEqual(r2.merge(b, a));
          expect(r1.merge(r1.merge(a, b), c)).toEqual(r2.merge(a, r2.merge(b, c)));
          expect(r1.merge(a, a)).toEqual(r2.merge(a, []));
          expect(r1.merge(r1.merge(a, b), b)).toEqual(r2.merge(a, b));
          expect(r1.merge(r1.merge(a, []), [])).toEqual(r1.merge(a, []));
        }),
        { numRuns },
      );
    });

    it('merge returns siblings in a deterministic order, does not mutate its inputs and drops only superseded siblings', () => {
      fc.assert(
        fc.property(arbHistorySteps(), arbPicks, (steps, [i, j]) => {
          const h = history(steps);
          const [a, b] = [pick(h.states, i), pick(h.states, j)];
          const [copyA, copyB] = [copySiblings(a), copySiblings(b)];
          const r = options.create();
          const merged = r.merge(a, b);
          expect(a).toEqual(copyA);
          expect(b).toEqual(copyB);
          expect(r.merge([], [...b, ...a].reverse())).toEqual(merged);
          for (const s of [...a, ...b]) {
            if (merged.some((m) => sameSibling(m, s))) continue;
            expect(merged.some((m) => r.descends(r.context([m]), [s]))).toBe(true);
          }
        }),
        { numRuns },
      );
    });

    it('replicas converge: once every record has reached every replica, all hold the same siblings, and every write is kept or superseded', () => {
      fc.assert(
        fc.property(arbHistorySteps(), (steps) => {
          const h = history(steps);
          const r = options.create();
          const records = h.finals.map((f) => [...f]);
          for (let round = 0; round < 2; round++) {
            for (let i = 0; i < records.length; i++) {
              for (let j = 0; j < records.length; j++) records[j] = r.merge(records[j]!, records[i]!);
            }
          }
          for (const rec of records) expect(rec).toEqual(records[0]);
          // Every write is kept or superseded by a kept one.
          for (const w of h.writes) {
            expect(records[0]!.some((m) => sameSibling(m, w.written) || r.descends(r.context([m]), [w.written]))).toBe(true);
          }
        }),
        { numRuns },
      );
    });

    it('a write stamped with the context of a read supersedes every sibling that read returned', () => {
      fc.assert(
        fc.property(arbHistorySteps(), (steps) => {
          const h = history(steps);
          const r = options.create();
          for (const w of h.writes) {
            if (w.context === undefined) continue;
            expect(r.descends(r.context([w.written]), w.read)).toBe(true);
            expect(r.merge(w.read, [w.written])).toEqual([w.written]);
          }
          // A restarted coordinator whose clock is behind everything it stored.
          for (const read of h.finals) {
            const restarted = options.create();
            const version = restarted.stamp(nodes[0]!, restarted.context(read), h.finals[0]!, 0);
            const written: Sibling = { version, value: Buffer.from('after restart'), writtenAt: 0 };
            expect(r.merge(read, [written])).toEqual([written]);
            expect(r.descends(r.context(read), read)).toBe(true);
            expect(r.descends(r.context(r.merge(read, h.finals[1]!)), read)).toBe(true);
          }
        }),
        { numRuns },
      );
    });

    it('two writes through one coordinator with one context never share a version', () => {
      fc.assert(
        fc.property(arbHistorySteps(), fc.nat(), (steps, i) => {
          const h = history(steps);
          const read = pick(h.finals, i);
          const r = options.create();
          const context = r.context(read);
          const a = r.stamp(nodes[0]!, context, h.finals[0]!, h.end);
          const b = r.stamp(nodes[0]!, context, h.finals[0]!, h.end);
          expect(Buffer.compare(a, b)).not.toBe(0);
        }),
        { numRuns },
      );
    });

    it('with stampsMonotonic, each stamp of one instance supersedes all its earlier ones, whatever `local` and `now`', () => {
      const declares = options.create().stampsMonotonic === true;
      fc.assert(
        fc.property(
          arbHistorySteps(),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: -100_000, max: 100_000 })), { maxLength: 8 }),
          (steps, stamps) => {
            const h = history(steps);
            const r = options.create();
            const earlier: Sibling[] = [];
            let superseded = true;
            for (const [i, dt] of stamps) {
              const now = h.end + dt;
              const mine: Sibling = { version: r.stamp(nodes[0]!, undefined, pick(h.finals, i), now), value: null, writtenAt: now };
              const merged = r.merge(earlier, [mine]);
              expect(merged.some((s) => sameSibling(s, mine))).toBe(true);
              if (earlier.some((e) => merged.some((s) => sameSibling(s, e)))) superseded = false;
              earlier.push(mine);
            }
            // Declared: never violated. Not declared: nothing is claimed (vector clocks keep blind writes as siblings).
            if (declares) expect(superseded).toBe(true);
          },
        ),
        { numRuns },
      );
    });

    it('breaks a tie of two siblings with one version the same way whatever the order', () => {
      const r = options.create();
      const version = r.stamp(nodes[0]!, undefined, [], 1_000);
      const a: Sibling = { version, value: Buffer.from('a'), writtenAt: 1_000 };
      const b: Sibling = { version, value: Buffer.from('b'), writtenAt: 1_000 };
      const c: Sibling = { version, value: null, writtenAt: 1_001, expiresAt: 5 };
      const ab = r.merge([a], [b]);
      expect(ab).toHaveLength(1);
      expect(r.merge([b], [a])).toEqual(ab);
      expect(options.create().merge([], [b, a])).toEqual(ab);
      expect(r.merge(r.merge([a], [c]), [b])).toEqual(r.merge([c], r.merge([b], [a])));
      expect(r.merge([a], [a])).toEqual([a]);
    });

    it('validate and validateContext accept everything the resolver produces', () => {
      fc.assert(
        fc.property(arbHistorySteps(), (steps) => {
          const h = history(steps);
          const r = options.create();
          for (const w of h.writes) r.validate(w.written.version, h.end);
          for (const s of h.finals) {
            r.validateContext(r.context(s));
            r.validateContext(r.context(s), h.end);
          }
          r.validateContext(asCausalContext(new Uint8Array(0)));
          expect(r.descends(r.context([]), [])).toBe(true);
        }),
        { numRuns },
      );
    });

    it('validate and validateContext reject garbage with INVALID_ARGUMENT and never throw anything else', () => {
      const r = options.create();
      const version = r.stamp(nodes[0]!, undefined, [], 1_000);
      const context = r.context([{ version, value: null, writtenAt: 1_000 }]);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, at, flip) => {
          rejectsOnlyAsInvalid(() => r.validate(asVersion(bytes), 2_000));
          rejectsOnlyAsInvalid(() => r.validateContext(asCausalContext(bytes), 2_000));
          const mutated = Uint8Array.from(version);
          if (mutated.length > 0) mutated[at % mutated.length]! ^= flip;
          rejectsOnlyAsInvalid(() => r.validate(asVersion(mutated), 2_000));
          const mutatedContext = Uint8Array.from(context);
          if (mutatedContext.length > 0) mutatedContext[at % mutatedContext.length]! ^= flip;
          rejectsOnlyAsInvalid(() => r.validateContext(asCausalContext(mutatedContext), 2_000));
          rejectsOnlyAsInvalid(() => r.validate(asVersion(version.subarray(0, at % version.length)), 2_000));
        }),
        { numRuns: numRuns * 5 },
      );
      const junk: unknown[] = [undefined, null, 'a version', 42, {}, [1, 2, 3]];
      for (const j of junk) {
        expect(rejectsOnlyAsInvalid(() => r.validate(j as Sibling['version'], 2_000))).toBe(true);
        expect(rejectsOnlyAsInvalid(() => r.validateContext(j as ReturnType<ConflictResolver['context']>, 2_000))).toBe(true);
      }
    });

    it('validate and validateContext reject oversize input with INVALID_ARGUMENT', () => {
      const r = options.create();
      const huge = new Uint8Array(1 << 20).fill(0x41);
      const random = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24);
      for (const bytes of [huge, random]) {
        expect(rejectsOnlyAsInvalid(() => r.validate(asVersion(bytes), 2_000))).toBe(true);
        expect(rejectsOnlyAsInvalid(() => r.validateContext(asCausalContext(bytes), 2_000))).toBe(true);
      }
      for (const v of options.malformed?.versions ?? []) expect(rejectsOnlyAsInvalid(() => r.validate(asVersion(v), 2_000))).toBe(true);
      for (const c of options.malformed?.contexts ?? []) {
        expect(rejectsOnlyAsInvalid(() => r.validateContext(asCausalContext(c), 2_000))).toBe(true);
      }
    });

    if (options.maxSkewMs !== undefined) {
      const skew = options.maxSkewMs;
      it(`validate rejects versions more than maxSkewMs (${skew}) ahead of now with INVALID_ARGUMENT`, () => {
        const now = 1_700_000_000_000;
        const at = (t: number) => options.create().stamp(nodes[0]!, undefined, [], t);
        const r = options.create();
        expect(rejectsOnlyAsInvalid(() => r.validate(at(now + skew), now))).toBe(false);
        expect(rejectsOnlyAsInvalid(() => r.validate(at(now + skew + 1), now))).toBe(true);
        const far = r.context([{ version: at(now + skew + 1), value: null, writtenAt: now }]);
        expect(rejectsOnlyAsInvalid(() => r.validateContext(far, now))).toBe(true);
        expect(rejectsOnlyAsInvalid(() => r.validate(at(now + 10 * skew + 10_000), now))).toBe(true);
      });
    }
  });
}
