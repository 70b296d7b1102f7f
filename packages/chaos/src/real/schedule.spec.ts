import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '@dynamis/core';
import { describeEvent, makeSchedule, NEMESES } from './schedule';
import { classify } from './Workload';

describe('real-process schedule', () => {
  const options = { seed: 7, loadMs: 300_000, nodes: 5, kinds: NEMESES };

  it('is a function of the seed', () => {
    expect(makeSchedule(options)).toEqual(makeSchedule(options));
    expect(makeSchedule(options)).not.toEqual(makeSchedule({ ...options, seed: 8 }));
  });

  it('runs one fault at a time, each healed before the next starts and before the load ends', () => {
    const events = makeSchedule(options);
    expect(events.length).toBeGreaterThan(10);
    for (let i = 0; i < events.length; i += 1) {
      const e = events[i]!;
      expect(e.at + e.durationMs).toBeLessThan(options.loadMs);
      if (i > 0) expect(e.at).toBeGreaterThan(events[i - 1]!.at + events[i - 1]!.durationMs);
    }
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(NEMESES));
  });

  it('draws the kinds in rounds: each round of six events holds every kind once', () => {
    const events = makeSchedule(options);
    for (let r = 0; r + NEMESES.length <= events.length; r += NEMESES.length)
      expect(new Set(events.slice(r, r + NEMESES.length).map((e) => e.kind))).toEqual(new Set(NEMESES));
  });

  it('draws partitions over every node: a minority side, or two sides and a bridge', () => {
    for (const e of makeSchedule(options)) {
      if (e.kind === 'halves') expect(e.nodes).toHaveLength(2);
      if (e.kind === 'bridge') expect([...e.nodes].sort()).toEqual([1, 2, 3, 4, 5]);
      if (e.kind === 'skew') expect(Math.abs(e.skewMs!)).toBeLessThanOrEqual(2000);
      expect(describeEvent(e)).toMatch(/^t\+\d+\.\ds /);
    }
  });

  it('draws only the kinds asked for', () => {
    expect(new Set(makeSchedule({ ...options, kinds: ['kill'] }).map((e) => e.kind))).toEqual(new Set(['kill']));
    expect(makeSchedule({ ...options, kinds: [] })).toEqual([]);
  });
});

describe('outcome of a failed request', () => {
  it('a failed read is fail; a write is fail only when proved not applied, else info', () => {
    expect(classify('get', new DynamisError('TIMEOUT', 'slow'))).toBe('fail');
    expect(classify('put', new DynamisError('UNAVAILABLE', 'down', { details: { applied: false } }))).toBe('fail');
    expect(classify('put', new DynamisError('CONFLICT', 'no'))).toBe('fail');
    expect(classify('put', new DynamisError('TIMEOUT', 'slow', { details: { maybeApplied: true } }))).toBe('info');
    expect(classify('del', new DynamisError('QUORUM_NOT_REACHED', 'few'))).toBe('info');
    expect(classify('put', new Error('socket hang up'))).toBe('info');
  });
});
