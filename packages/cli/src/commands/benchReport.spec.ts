import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '@dynamis/core';
import { loadPhase, runPhase, type WorkloadSpec, type WorkloadTarget } from '@dynamis/workload';
import { benchJson, benchText, type BenchOutcome } from './benchReport';

/** The harness: a Map-backed target; every 50th get fails with TIMEOUT when `flaky`. */
function mapTarget(flaky = false): WorkloadTarget {
  const data = new Map<string, Uint8Array>();
  let gets = 0;
  return {
    put: async (k, v) => void data.set(k, v),
    get: async (k) => {
      if (flaky && ++gets % 50 === 0) throw new DynamisError('TIMEOUT', 'too slow');
      return { found: data.has(k) };
    },
  };
}

const spec: Required<WorkloadSpec> = {
  workload: 'A',
  records: 100,
  operations: 400,
  concurrency: 4,
  valueBytes: 10,
  distribution: 'zipfian',
  seed: 9,
};

async function outcome(load: boolean, flaky = false): Promise<BenchOutcome> {
  const target = mapTarget(flaky);
  const l = await loadPhase(target, spec);
  return {
    spec,
    consistency: 'quorum',
    nodes: 3,
    load: load ? l : undefined,
    run: await runPhase(target, spec),
    rewrites: { load: 0, run: 7 },
  };
}

describe('bench report', () => {
  it('JSON: one line {spec, load, run}, the spec resolved, series without operations null', async () => {
    const o = await outcome(true);
    const text = benchJson(o);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd()).not.toContain('\n');
    const doc = JSON.parse(text);
    expect(doc.spec).toEqual({ ...spec, consistency: 'quorum', nodes: 3, load: true });
    expect(doc.load).toMatchObject({ operations: 100, errors: 0, latencyMs: { insert: { count: 100 }, read: null, scan: null } });
    expect(doc.run).toMatchObject({
      operations: 400,
      errors: 0,
      notFound: 0,
      seed: 9,
      siblingRewrites: 7,
      latencyMs: { all: { count: 400 }, insert: null },
    });
    expect(doc.load.siblingRewrites).toBe(0);
    expect(Object.keys(doc.run.latencyMs.read).sort()).toEqual(['count', 'max', 'mean', 'p50', 'p95', 'p99', 'p999']);
    expect(JSON.parse(benchJson(await outcome(false))).load).toBeNull();
  });

  it('text: the spec, one row per phase and operation type, a summary per phase with the errors by code', async () => {
    const o = await outcome(true, true);
    const text = benchText(o);
    expect(text).toMatch(
      /^workload A \(50% read, 50% update\), zipfian, 100 records, 400 operations, 4 in flight, 10-byte values, consistency quorum, 3 nodes, seed 9\n/,
    );
    const rows = text.split('\n').filter((l) => /^(load|run) /.test(l));
    expect(rows.map((r) => r.split(/\s+/).slice(0, 3))).toEqual([
      ['load', 'insert', '100'],
      ['run', 'read', String(o.run.latencyMs.read!.count)],
      ['run', 'update', String(o.run.latencyMs.update!.count)],
      ['run', 'all', String(400 - o.run.errors)],
    ]);
    expect(text).toMatch(/^PHASE +OPERATION +COUNT +OPS\/S +P50 MS +P95 MS +P99 MS +P99\.9 MS +MAX MS$/m);
    expect(o.run.errors).toBeGreaterThan(0);
    expect(text).toContain(`run: 400 operations in `);
    expect(text).toContain(
      `${o.run.errors} errors (TIMEOUT ${o.run.errors}; first: TIMEOUT: too slow), 0 not found, 7 puts redone with context (maxSiblings)\n`,
    );
    expect(text).toMatch(/^load: 100 operations in \d+\.\d\d s, \d+ ops\/s, 0 errors, 0 not found$/m);
  });
});
