import { describe, expect, it } from '@jest/globals';
import {
  ceilingCase,
  engineCase,
  floorCase,
  inProcessCase,
  inProcessFloorCase,
  kvCase,
  NO_ENGINE,
  SHAPED_CEILING_CASE,
  ycsbCase,
  type Round,
} from './cases';
import type { CaseResult } from './drive';
import {
  caseMedian,
  clusterReport,
  cpuBudget,
  engineReport,
  inProcessReport,
  weightedDriverUsPerOp,
  profileReport,
  rate,
  ratioMedian,
  redisReport,
} from './report';
import { median } from './stats';

const result = (opsPerSec: number, p50 = 1, errors = 0): CaseResult => ({
  opsPerSec,
  ops: Math.round(opsPerSec),
  errors,
  latency: { count: 1, p50, p99: p50 * 10, p999: p50 * 20, max: p50 * 30 },
  cpu: { driverUsPerOp: p50 * 100, serversUsPerOp: p50 * 200, serversSysUsPerOp: p50 * 50 },
  serversWritesPerOp: p50 * 3,
});

describe('median', () => {
  it('takes the middle of the finite values, the mean of the two middle ones for an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, NaN, 1, Infinity, 3])).toBe(3);
    expect(median([])).toBeNaN();
  });
});

describe('caseMedian and ratioMedian', () => {
  const rounds: Round[] = [
    new Map([
      ['a', result(100, 2, 1)],
      ['b', result(200)],
    ]),
    new Map([
      ['a', result(300, 4)],
      ['b', result(300)],
    ]),
    new Map([
      ['a', result(200, 3, 2)],
      ['b', result(1000)],
    ]),
  ];

  it('gives the median rate and latency over the rounds and sums the errors', () => {
    expect(caseMedian(rounds, 'a')).toEqual({
      opsPerSec: 200,
      p50: 3,
      p99: 30,
      p999: 60,
      errors: 3,
      driverUs: 300,
      serversUs: 600,
      serversSysUs: 150,
      serversWrites: 9,
    });
    expect(caseMedian(rounds, 'missing').opsPerSec).toBeNaN();
  });

  it('takes each ratio within one round, then the median (not the ratio of the medians)', () => {
    const r = ratioMedian(rounds, 'a', 'b');
    expect(r.each).toEqual([0.5, 1, 0.2]);
    expect(r.median).toBe(0.5);
    expect(caseMedian(rounds, 'a').opsPerSec / caseMedian(rounds, 'b').opsPerSec).not.toBe(0.5);
    expect(ratioMedian(rounds, 'a', 'missing').median).toBeNaN();
  });

  it('formats rates with thin grouping', () => {
    expect(rate(1234567.6)).toBe('1 234 568');
    expect(rate(999)).toBe('999');
    expect(rate(NaN)).toBe('–');
  });
});

describe('redisReport', () => {
  const round: Round = new Map([
    [kvCase('dynamis memory', 'put', 100, 64), result(5000)],
    [kvCase('redis none', 'put', 100, 64), result(50_000)],
  ]);

  it('puts one ratio column per dynamis/redis pair, the ratio taken within the round', () => {
    const lines = redisReport([round], [64], ['dynamis memory', 'redis none']);
    expect(lines[0]).toBe('| op | value | in flight | dynamis memory | redis none | memory / redis none |');
    expect(lines[2]).toMatch(/^\| put \| 100 B \| 64 \| 5 000 \(.*\) \| 50 000 \(.*\) \| 0\.10 \|$/);
  });

  it('without redis-server: no ratio columns, no empty cells, and a note saying so', () => {
    const lines = redisReport([round], [64], ['dynamis memory']);
    expect(lines[0]).toBe('| op | value | in flight | dynamis memory |');
    expect(lines.every((l) => !l.includes('|  |'))).toBe(true);
    expect(lines.at(-1)).toMatch(/redis-server was not found/);
  });
});

describe('profileReport', () => {
  it('prints put then get with the node CPU per op, its kernel part and the driver, medians of the rounds', () => {
    const t = 'profiled memory';
    const rounds: Round[] = [1, 3, 2].map(
      (p50) =>
        new Map([
          [kvCase(t, 'put', 100, 64), result(1000 * p50, p50)],
          [kvCase(t, 'get', 100, 64), result(2000 * p50, p50 / 2)],
        ]),
    );
    const lines = profileReport(rounds, t, 100, 64);
    expect(lines[2]).toBe('| put | 2 000 | 2.000 | 20.0 | 0 | 400.0 | 100.0 | 200.0 | 600.0 | 6.00 |');
    expect(lines[3]).toBe('| get | 4 000 | 1.000 | 10.0 | 0 | 200.0 | 50.0 | 100.0 | 300.0 | 3.00 |');
  });
});

describe('inProcessReport', () => {
  it("prints each workload, then each floor, with the process's CPU per op (nodes and driver are one process), and A against its floor", () => {
    const rounds: Round[] = [1, 3, 2].map(
      (p50) =>
        new Map([
          [inProcessCase('A'), result(1000 * p50, p50, 1)],
          [inProcessCase('C'), result(3000 * p50, p50 / 2)],
          [inProcessFloorCase('A'), result(4000, p50 / 4)],
          [inProcessFloorCase('C'), result(8000)],
        ]),
    );
    const lines = inProcessReport(rounds, ['A', 'C']);
    expect(lines[2]).toBe('| workload A (50% reads, 50% updates) | 2 000 | 2.000 | 20.0 | 40.0 | 3 | 200 |');
    expect(lines[3]).toBe('| workload C (100% reads, 0% updates) | 6 000 | 1.000 | 10.0 | 20.0 | 0 | 100 |');
    expect(lines[4]).toBe(
      '| floor A: 3 independent nodes, the driver coordinates (50% reads, 50% updates) | 4 000 | 0.500 | 5.000 | 10.0 | 0 | 50 |',
    );
    expect(lines[5]).toBe(
      '| floor C: 3 independent nodes, the driver coordinates (100% reads, 0% updates) | 8 000 | 1.000 | 10.0 | 20.0 | 0 | 100 |',
    );
    expect(lines).toContain('- workload A / floor A: **0.50** (rounds: 0.25, 0.75, 0.50)');
    expect(inProcessReport(rounds, ['C']).filter((l) => l.startsWith('- '))).toEqual([]);
  });
});

describe('clusterReport', () => {
  // Per round: A, its floor and the corked ceiling; the ratios are taken within each round.
  const rounds: Round[] = [
    [1000, 2000, 10000],
    [3000, 4000, 10000],
    [2000, 5000, 8000],
  ].map(
    ([a, floor, corked]) =>
      new Map([
        [ycsbCase('A'), result(a!)],
        [floorCase('A'), result(floor!)],
        [ceilingCase(true), result(corked!)],
        [ceilingCase(false), result(corked! / 2)],
      ]),
  );
  const all = { cluster: true, floor: true, ceiling: true };

  it('prints the workload, its floor and the ceilings, then A against the ceiling, the floor against it and A against its floor', () => {
    const lines = clusterReport(rounds, ['A'], all);
    expect(lines.slice(2, 6).map((l) => l.split(' | ')[0])).toEqual([
      '| workload A (50% reads, 50% updates)',
      '| floor A: 3 independent nodes, the driver coordinates (50% reads, 50% updates)',
      '| fan-out ceiling, bare ws corked (3 peers, done after 2)',
      '| fan-out ceiling, bare ws plain (3 peers, done after 2)',
    ]);
    expect(lines[3]).toContain('| 4 000 |');
    expect(lines).toContain('- workload A / corked ceiling: **0.25** (rounds: 0.10, 0.30, 0.25) — target ≥ 0.6');
    expect(lines).toContain(
      '- floor A / corked ceiling: **0.40** (rounds: 0.20, 0.40, 0.63) (the per-replica work alone, coordination free)',
    );
    expect(lines).toContain('- workload A / floor A: **0.50** (rounds: 0.50, 0.75, 0.40) (what the cluster keeps after coordinating)');
  });

  it('prints only the rows and ratios whose cases ran', () => {
    const noFloor = clusterReport(rounds, ['A'], { ...all, floor: false });
    expect(noFloor.join('\n')).not.toContain('floor');
    expect(noFloor).toContain('- workload A / corked ceiling: **0.25** (rounds: 0.10, 0.30, 0.25) — target ≥ 0.6');
    const floorOnly = clusterReport(rounds, ['A'], { cluster: false, floor: true, ceiling: false });
    expect(floorOnly.slice(2).filter((l) => l.startsWith('|'))).toHaveLength(1);
    expect(floorOnly.filter((l) => l.startsWith('- '))).toEqual([]);
    const withoutA = clusterReport(rounds, ['C'], all);
    expect(withoutA.filter((l) => l.startsWith('- '))).toEqual([]);
  });
});

describe('cpuBudget', () => {
  it('gives the CPU per op that the cores allow at the target, and the most an op of messages plus engine calls can reach', () => {
    // 2 cores, a ceiling of 50 000 ops/s costing 30 µs per op; engine calls of 50 µs per op.
    const b = cpuBudget(50_000, 30, 50, 2, 0.6);
    expect(b.allowedUs).toBeCloseTo(66.67, 2); // 2e6 µs/s over 30 000 ops/s
    expect(b.messagesUs).toBe(30);
    expect(b.engineUs).toBe(50);
    expect(b.bound).toBeCloseTo(0.5, 10); // 2e6 / 80 = 25 000 ops/s = 0.5 × the ceiling
    // Engine calls that fit: the bound passes the target exactly when messages + engine < the allowed CPU.
    const fits = cpuBudget(50_000, 30, 30, 2, 0.6);
    expect(fits.messagesUs + fits.engineUs).toBeLessThan(fits.allowedUs);
    expect(fits.bound).toBeGreaterThan(0.6);
    expect(b.messagesUs + b.engineUs).toBeGreaterThan(b.allowedUs);
    expect(b.bound).toBeLessThan(0.6);
  });
});

describe('engineReport and the budget lines of clusterReport', () => {
  // The engine rows' CPU per op is the driver's (this process's): result(x, p50) has driverUsPerOp = p50 * 100.
  const rounds: Round[] = [1, 2, 3].map(
    (i) =>
      new Map([
        [engineCase(NO_ENGINE, 'A'), result(100_000, 0.04)], // 4 µs: the loop alone
        [engineCase('lsm', 'A'), result(20_000, 0.4 + 0.01 * i)], // 41, 42, 43 µs
        [ceilingCase(true), result(50_000, 0.1)], // 10 µs driver + 20 µs servers
        [ceilingCase(false), result(20_000, 0.2)],
        [SHAPED_CEILING_CASE, result(60_000, 0.08)], // 8 µs driver + 16 µs servers: the messages with A's sizes
      ]),
  );

  it('prints each engine with its CPU per op beyond the loop alone, per op and per call', () => {
    const lines = engineReport(rounds, ['A'], [NO_ENGINE, 'lsm']);
    expect(lines[2]).toContain('| none (calls that do nothing: the loop alone) | A (50% reads, 50% updates) | 100 000 |');
    expect(lines[2]).toMatch(/\| 4 \| 4 \| 0 \| 0\.0 \|$/);
    expect(lines[3]).toMatch(/^\| lsm \| A .*\| 4 \| 42 \| 38 \| 9\.5 \|$/);
  });

  it("prints the budget of workload A from the medians: the corked ceiling's rate, the messages with A's sizes, the engine alone", () => {
    const lines = clusterReport(rounds, ['A'], { cluster: false, floor: false, ceiling: true, engine: { name: 'lsm', cores: 2 } });
    expect(lines.filter((l) => l.startsWith("| fan-out ceiling, bare ws corked, workload A's bytes"))).toHaveLength(1);
    const budget = lines.filter((l) => l.startsWith('- CPU budget'));
    expect(budget).toHaveLength(1);
    // 2e6 / (0.6 × 50 000) = 67 µs allowed; messages 24 (the shaped fan-out, not the ceiling's 30) + engine 38 = 62 µs;
    // bound 2e6 / 62 / 50 000 = 0.65.
    expect(budget[0]).toContain('at 30 000 ops/s allow 67 µs of CPU per op');
    expect(budget[0]).toContain("with workload A's sizes (bare ws, corked), cost 24 µs (servers + driver)");
    expect(budget[0]).toContain("engine-lsm's 4 calls per op, alone (engines section, beyond its loop), 38 µs: 62 µs");
    expect(budget[0]).toContain('coordination together may cost at most **5 µs** per op'); // 67 - 62
    expect(budget[0]).toContain('could reach 0.65 × the corked ceiling');
  });

  it("prints no budget without the engine, the ceiling, the fan-out with A's sizes or workload A", () => {
    const none = (parts: Parameters<typeof clusterReport>[2], w: 'A' | 'C' = 'A'): string[] =>
      clusterReport(rounds, [w], parts).filter((l) => l.startsWith('- CPU budget'));
    expect(none({ cluster: false, floor: false, ceiling: true })).toEqual([]);
    expect(none({ cluster: false, floor: false, ceiling: false, engine: { name: 'lsm', cores: 2 } })).toEqual([]);
    expect(none({ cluster: false, floor: false, ceiling: true, engine: { name: 'lsm', cores: 2 } }, 'C')).toEqual([]);
    expect(none({ cluster: false, floor: false, ceiling: true, engine: { name: 'memory', cores: 2 } })).toEqual([]);
    const withoutShaped = rounds.map((r) => new Map([...r].filter(([name]) => name !== SHAPED_CEILING_CASE)));
    const parts = { cluster: false, floor: false, ceiling: true, engine: { name: 'lsm', cores: 2 } };
    expect(clusterReport(withoutShaped, ['A'], parts).filter((l) => l.startsWith('- CPU budget'))).toEqual([]);
  });
});

describe('weightedDriverUsPerOp', () => {
  it("weights each case's driver CPU per op by its operations, skipping cases that did not run", () => {
    const round: Round = new Map([
      ['a', result(1000, 1)], // 1 000 ops at 100 µs
      ['b', result(3000, 2)], // 3 000 ops at 200 µs
    ]);
    expect(weightedDriverUsPerOp(round, ['a', 'b', 'missing'])).toBe(175);
    expect(weightedDriverUsPerOp(round, ['missing'])).toBeNaN();
  });
});
