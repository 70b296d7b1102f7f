import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '@dynamis/core';
import { loadPhase } from './loadPhase';
import { runPhase } from './runPhase';
import { WORKLOAD_NAMES, type PhaseResult, type WorkloadSpec, type WorkloadTarget } from './types';

/** The harness: a Map-backed store that answers on a later tick, with an ordered scan. Counts calls per method. */
class MapTarget implements WorkloadTarget {
  readonly data = new Map<string, Uint8Array>();
  readonly calls = { put: 0, get: 0, scan: 0 };
  async put(key: string, value: Uint8Array): Promise<void> {
    await Promise.resolve();
    this.calls.put++;
    this.data.set(key, value);
  }
  async get(key: string): Promise<{ found: boolean }> {
    await Promise.resolve();
    this.calls.get++;
    return { found: this.data.has(key) };
  }
  async scan(startKey: string, count: number): Promise<number> {
    await Promise.resolve();
    this.calls.scan++;
    let from = 0;
    for (const k of this.data.keys()) if (k >= startKey) from++;
    return Math.min(count, from);
  }
}

const spec = (workload: WorkloadSpec['workload'], extra: Partial<WorkloadSpec> = {}): WorkloadSpec => ({
  workload,
  records: 300,
  operations: 2000,
  concurrency: 8,
  valueBytes: 100,
  seed: 1,
  ...extra,
});

function expectOrdered(r: PhaseResult, series: keyof PhaseResult['latencyMs']): void {
  const p = r.latencyMs[series]!;
  expect(p.count).toBeGreaterThan(0);
  expect(p.p50).toBeGreaterThan(0);
  expect(p.p50).toBeLessThanOrEqual(p.p95);
  expect(p.p95).toBeLessThanOrEqual(p.p99);
  expect(p.p99).toBeLessThanOrEqual(p.p999);
  expect(p.p999).toBeLessThanOrEqual(p.max);
}

describe('loadPhase and runPhase against an in-memory target', () => {
  it.each(WORKLOAD_NAMES)('workload %s: loads every record, runs every operation, no errors, no misses', async (name) => {
    const target = new MapTarget();
    const progress: number[] = [];
    const load = await loadPhase(target, spec(name), (done, total) => {
      expect(total).toBe(300);
      progress.push(done);
    });
    expect(load).toMatchObject({ operations: 300, errors: 0, notFound: 0, errorsByCode: {}, seed: 1 });
    expect(progress).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(target.data.size).toBe(300);
    expect([...target.data.values()].every((v) => v.length === 100)).toBe(true);
    expect(load.latencyMs.insert!.count).toBe(300);
    expectOrdered(load, 'all');

    const run = await runPhase(target, spec(name));
    expect(run).toMatchObject({ operations: 2000, errors: 0, notFound: 0, errorsByCode: {} });
    expect(run.opsPerSec).toBeGreaterThan(0);
    expect(run.latencyMs.all!.count).toBe(2000);
    const byType = ['read', 'update', 'insert', 'scan', 'rmw'] as const;
    expect(byType.reduce((s, t) => s + (run.latencyMs[t]?.count ?? 0), 0)).toBe(2000);
    expectOrdered(run, 'all');
    const inserts = run.latencyMs.insert?.count ?? 0;
    expect(target.data.size).toBe(300 + inserts);
    const rmw = run.latencyMs.rmw?.count ?? 0;
    expect(target.calls.get).toBe((run.latencyMs.read?.count ?? 0) + rmw);
    expect(target.calls.put).toBe(300 + (run.latencyMs.update?.count ?? 0) + inserts + rmw);
    if (name === 'E') expect(run.scannedRecords).toBeGreaterThan(run.latencyMs.scan!.count);
  });

  it('spreads operations round-robin over several targets', async () => {
    const targets = [new MapTarget(), new MapTarget(), new MapTarget()];
    await loadPhase(targets, spec('C', { records: 30 }));
    expect(targets.map((t) => t.data.size)).toEqual([10, 10, 10]);
    const run = await runPhase(targets, spec('C', { records: 30, operations: 300 }));
    expect(targets.map((t) => t.calls.get)).toEqual([100, 100, 100]);
    expect(run.notFound).toBeGreaterThan(0); // each target holds a third of the records
  });

  it('counts failures by DynamisError code (UNEXPECTED for other errors) without throwing', async () => {
    const target = new MapTarget();
    await loadPhase(target, spec('A'));
    let n = 0;
    const flaky: WorkloadTarget = {
      put: (k, v) => (++n % 10 === 0 ? Promise.reject(new DynamisError('TIMEOUT', 'slow')) : target.put(k, v)),
      get: (k) => (++n % 25 === 0 ? Promise.reject(new Error('boom')) : target.get(k)),
    };
    const run = await runPhase(flaky, spec('A', { concurrency: 1 }));
    expect(run.operations).toBe(2000);
    expect(run.errors).toBe(run.errorsByCode.TIMEOUT! + run.errorsByCode.UNEXPECTED!);
    expect(run.errorsByCode.TIMEOUT).toBeGreaterThan(50);
    expect(run.errorsByCode.UNEXPECTED).toBeGreaterThan(10);
    expect(run.latencyMs.all!.count).toBe(2000 - run.errors);
    expect(run.firstError).toMatch(/^(TIMEOUT: slow|UNEXPECTED: boom)$/);
  });

  it('throws when every operation fails, with the failure code', async () => {
    const down: WorkloadTarget = {
      put: () => Promise.reject(new DynamisError('UNAVAILABLE', 'no node')),
      get: () => Promise.reject(new DynamisError('QUORUM_NOT_REACHED', 'no quorum')),
    };
    await expect(loadPhase(down, spec('A', { records: 5 }))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(runPhase(down, spec('C', { operations: 5 }))).rejects.toMatchObject({
      code: 'QUORUM_NOT_REACHED',
      message: expect.stringContaining('every one of the 5 operations of workload C failed'),
    });
  });

  it('refuses workload E on a target that cannot scan, before any operation', async () => {
    const target = new MapTarget();
    const noScan: WorkloadTarget = { put: (k, v) => target.put(k, v), get: (k) => target.get(k) };
    await expect(runPhase([target, noScan], spec('E'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'workload E scans, and this target cannot scan',
    });
    expect(target.calls).toEqual({ put: 0, get: 0, scan: 0 });
  });

  it('refuses a bad spec with INVALID_ARGUMENT naming the field', async () => {
    const target = new MapTarget();
    const bad: [Partial<WorkloadSpec>, string][] = [
      [{ workload: 'G' as 'A' }, 'workload'],
      [{ records: 0 }, 'records'],
      [{ operations: 1.5 }, 'operations'],
      [{ concurrency: 0 }, 'concurrency'],
      [{ valueBytes: -1 }, 'valueBytes'],
      [{ distribution: 'hotspot' as 'latest' }, 'distribution'],
      [{ seed: Number.NaN }, 'seed'],
    ];
    for (const [extra, field] of bad) {
      await expect(runPhase(target, spec('A', extra))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field } });
    }
    await expect(loadPhase([], spec('A'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('writes the same values and issues the same operations for a seed', async () => {
    const run = async (seed: number): Promise<[string[], Uint8Array[]]> => {
      const target = new MapTarget();
      const keys: string[] = [];
      const recording: WorkloadTarget = {
        put: (k, v) => (keys.push(`put ${k}`), target.put(k, v)),
        get: (k) => (keys.push(`get ${k}`), target.get(k)),
      };
      await loadPhase(recording, spec('B', { seed, records: 50, concurrency: 1 }));
      await runPhase(recording, spec('B', { seed, records: 50, operations: 200, concurrency: 1 }));
      return [keys, [...target.data.values()]];
    };
    const [keys, values] = await run(3);
    expect(await run(3)).toEqual([keys, values]);
    const [otherKeys, otherValues] = await run(4);
    expect(otherKeys).not.toEqual(keys);
    expect(otherValues).not.toEqual(values);
  });
});
