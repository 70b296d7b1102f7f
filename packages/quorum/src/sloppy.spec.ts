import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '@dynamis/core';
import { sloppyConfigProblem, sloppyEnabled, sloppyTargets } from './sloppy';

describe('sloppyTargets: a sloppy plan as fan-out targets', () => {
  const alive =
    (...ids: string[]) =>
    (id: string) =>
      ids.includes(id);

  it('asks the live primaries then one fallback per down primary, holders mapped to the primary they stand in for', () => {
    const t = sloppyTargets(['a', 'b', 'c'], ['d', 'e', 'f'], alive('a', 'e', 'f'), 'a');
    expect(t.live).toEqual(['a', 'e', 'f']);
    expect([...t.hintFor]).toEqual([
      ['e', 'b'],
      ['f', 'c'],
    ]);
    expect(t.skipped).toEqual([]);
  });

  it('skips a down primary left without a live fallback, with the reason primaries-only uses', () => {
    const t = sloppyTargets(['a', 'b', 'c'], ['d', 'e'], alive('a', 'd'), 'a');
    expect(t.live).toEqual(['a', 'd']);
    expect([...t.hintFor]).toEqual([['d', 'b']]);
    expect(t.skipped).toEqual([{ node: 'c', reason: 'down (membership)' }]);
  });

  it('never picks a primary as a holder, and self counts as alive', () => {
    // fallbacks in ring order may list primaries: they are not holders
    const t = sloppyTargets(['a', 'b', 'c'], ['a', 'c', 'd'], alive('c', 'd'), 'a');
    expect(t.live).toEqual(['a', 'c', 'd']);
    expect([...t.hintFor]).toEqual([['d', 'b']]);
  });

  it('with every primary alive there are no hints', () => {
    const t = sloppyTargets(['a', 'b', 'c'], ['d'], alive('a', 'b', 'c', 'd'), 'a');
    expect(t.live).toEqual(['a', 'b', 'c']);
    expect(t.hintFor.size).toBe(0);
  });
});

describe('sloppy quorum refusal without hinted handoff', () => {
  it('a request asking for it (or inheriting it from the config) is INVALID_ARGUMENT naming the option', () => {
    for (const [requested, configured] of [
      [true, false],
      [undefined, true],
    ] as const) {
      const err = (() => {
        try {
          sloppyEnabled(requested, configured, false);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(DynamisError);
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { option: 'sloppyQuorum' } });
      expect((err as Error).message).toMatch(/hinted-handoff/);
    }
  });

  it('the request overrides the config; with hinted handoff it is accepted', () => {
    expect(sloppyEnabled(false, true, false)).toBe(false);
    expect(sloppyEnabled(undefined, false, false)).toBe(false);
    expect(sloppyEnabled(undefined, true, true)).toBe(true);
    expect(sloppyEnabled(true, false, true)).toBe(true);
    expect(sloppyEnabled(false, true, true)).toBe(false);
  });

  it('the config problem names replication.sloppyQuorum only when it is on without hints', () => {
    expect(sloppyConfigProblem(true, false)).toMatchObject({ path: 'replication.sloppyQuorum' });
    expect(sloppyConfigProblem(true, true)).toBeUndefined();
    expect(sloppyConfigProblem(false, false)).toBeUndefined();
  });
});
