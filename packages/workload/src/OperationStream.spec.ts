import { describe, expect, it } from '@jest/globals';
import { OperationStream, type Operation } from './OperationStream';
import { OPERATION_TYPES, WORKLOAD_NAMES, type OperationType, type WorkloadSpec } from './types';
import { MAX_SCAN_LENGTH, WORKLOADS } from './workloads';

const spec = (workload: WorkloadSpec['workload'], extra: Partial<WorkloadSpec> = {}): WorkloadSpec => ({
  workload,
  records: 1000,
  operations: 20_000,
  concurrency: 1,
  valueBytes: 10,
  ...extra,
});

/** Draws `n` operations, settling each at once (concurrency 1). */
function draw(s: WorkloadSpec, seed: number, n = s.operations): Operation[] {
  const stream = new OperationStream(s, seed);
  return Array.from({ length: n }, () => {
    const op = stream.next();
    stream.settled(op);
    return op;
  });
}

describe('OperationStream', () => {
  it.each(WORKLOAD_NAMES)('draws workload %s in YCSB proportions (±1.5 points over 20 000 operations)', (name) => {
    const ops = draw(spec(name), 42);
    const counts = new Map<OperationType, number>();
    for (const op of ops) counts.set(op.type, (counts.get(op.type) ?? 0) + 1);
    for (const type of OPERATION_TYPES) {
      const share = (counts.get(type) ?? 0) / ops.length;
      expect({ type, share: Math.abs(share - WORKLOADS[name].proportions[type]) < 0.015 }).toEqual({ type, share: true });
    }
  });

  it('gives the same operations for the same seed, and others for another seed', () => {
    for (const name of WORKLOAD_NAMES) {
      const a = draw(spec(name), 7, 2000);
      expect(draw(spec(name), 7, 2000)).toEqual(a);
      expect(draw(spec(name), 8, 2000)).not.toEqual(a);
    }
  });

  it.each([
    ['D', undefined],
    ['D', 'zipfian'],
    ['E', undefined],
  ] as const)(
    'workload %s (%s): inserts new records in order after the loaded ones, and picks only records that exist',
    (name, distribution) => {
      const ops = draw(spec(name, distribution === undefined ? {} : { distribution }), 3);
      const inserts = ops.filter((o) => o.type === 'insert').map((o) => o.record);
      expect(inserts).toEqual(Array.from({ length: inserts.length }, (_, i) => 1000 + i));
      let limit = 1000;
      let beyond = 0;
      for (const op of ops) {
        if (op.type === 'insert') limit++;
        else if (op.record >= limit) beyond++;
      }
      expect(beyond).toBe(0);
    },
  );

  it('with the latest distribution (D) favours recent inserts; zipfian and uniform do not', () => {
    const recentShare = (s: WorkloadSpec): number => {
      let limit = s.records;
      let recent = 0;
      let reads = 0;
      for (const op of draw(s, 11)) {
        if (op.type === 'insert') limit = op.record + 1;
        else if (op.type === 'read') {
          reads++;
          if (op.record >= limit - 10) recent++;
        }
      }
      return recent / reads;
    };
    // zipf(0.99) over ~2000 items: the 10 most recent take about zeta(10)/zeta(2000) ≈ 0.35
    expect(recentShare(spec('D'))).toBeGreaterThan(0.3);
    expect(recentShare(spec('D', { distribution: 'zipfian' }))).toBeLessThan(0.05);
    expect(recentShare(spec('D', { distribution: 'uniform' }))).toBeLessThan(0.05);
  });

  it('with uniform picks loaded records only, about evenly', () => {
    const ops = draw(spec('A', { distribution: 'uniform', records: 10, operations: 10_000 }), 5);
    const counts = new Array<number>(10).fill(0);
    for (const op of ops) counts[op.record]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('draws scan lengths uniformly in 1..MAX_SCAN_LENGTH (E)', () => {
    const lengths = draw(spec('E'), 9)
      .filter((o) => o.type === 'scan')
      .map((o) => o.scanLength);
    expect(Math.min(...lengths)).toBe(1);
    expect(Math.max(...lengths)).toBe(MAX_SCAN_LENGTH);
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    expect(Math.abs(mean - (MAX_SCAN_LENGTH + 1) / 2)).toBeLessThan(1);
  });

  it('never picks an insert that is still in flight', () => {
    const stream = new OperationStream(spec('D', { records: 5 }), 1);
    const pending: Operation[] = [];
    for (let i = 0; i < 5000; i++) {
      const op = stream.next();
      if (op.type === 'insert') pending.push(op);
      else expect(op.record).toBeLessThan(5);
    }
    expect(pending.length).toBeGreaterThan(100);
    for (const op of pending.slice(1)) stream.settled(op); // the first still in flight: the limit stays at 5
    for (let i = 0; i < 2000; i++) {
      const op = stream.next();
      if (op.type !== 'insert') expect(op.record).toBeLessThan(5);
    }
    stream.settled(pending[0]!);
    const after = Array.from({ length: 2000 }, () => stream.next()).filter((o) => o.type === 'read');
    expect(after.some((o) => o.record >= 5)).toBe(true);
  });
});
