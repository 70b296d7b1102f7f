import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { engineCallsPerOp } from './cases';
import {
  loadReplicaEngines,
  openReplicaEngines,
  replicaEngineOp,
  REPLICA_ENGINES,
  type EngineCalls,
  type ReplicaEngines,
} from './replicaEngines';

/** Three engines that record every call (replica index, kind, key) and answer a get with a stored record unless `missing`. */
function countingEngines(missing = false): { r: ReplicaEngines; calls: Array<{ replica: number; kind: 'get' | 'put'; key: string }> } {
  const calls: Array<{ replica: number; kind: 'get' | 'put'; key: string }> = [];
  const engine = (replica: number): EngineCalls => ({
    get: (key) => {
      calls.push({ replica, kind: 'get', key: Buffer.from(key).toString('hex') });
      return Promise.resolve(missing ? undefined : new Uint8Array(1));
    },
    put: (key) => {
      calls.push({ replica, kind: 'put', key: Buffer.from(key).toString('hex') });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  });
  return { r: { name: 'none', dir: '', engines: [engine(0), engine(1), engine(2)], stop: () => Promise.resolve() }, calls };
}

describe('replicaEngineOp', () => {
  it("makes a read's 2 gets at 2 distinct replicas and an update's get then put at each of the 3", async () => {
    const { r, calls } = countingEngines();
    const op = replicaEngineOp(r, 'A', 100);
    let reads = 0;
    let updates = 0;
    for (let seq = 0; seq < 300; seq++) {
      calls.length = 0;
      await op(seq);
      const keys = new Set(calls.map((c) => c.key));
      expect(keys.size).toBe(1);
      if (calls.every((c) => c.kind === 'get') && calls.length === 2) {
        reads++;
        expect(calls[0]!.replica).not.toBe(calls[1]!.replica);
      } else {
        updates++;
        expect(calls).toHaveLength(6);
        for (const replica of [0, 1, 2]) expect(calls.filter((c) => c.replica === replica).map((c) => c.kind)).toEqual(['get', 'put']);
      }
    }
    // 50/50: both kinds occur (300 draws: a miss of either has probability 2^-300).
    expect(reads).toBeGreaterThan(0);
    expect(updates).toBeGreaterThan(0);
    expect((reads * 2 + updates * 6) / 300).toBeCloseTo(engineCallsPerOp('A'), 0);
  });

  it('makes only reads for workload C, and a read that finds nothing fails', async () => {
    const { r, calls } = countingEngines();
    const op = replicaEngineOp(r, 'C', 100);
    for (let seq = 0; seq < 50; seq++) await op(seq);
    expect(calls).toHaveLength(100);
    expect(calls.every((c) => c.kind === 'get')).toBe(true);
    expect(engineCallsPerOp('C')).toBe(2);
    expect(engineCallsPerOp('A')).toBe(4);
    const empty = countingEngines(true);
    await expect(replicaEngineOp(empty.r, 'C', 100)(1)).rejects.toThrow('found nothing');
  });
});

describe('openReplicaEngines and loadReplicaEngines', () => {
  it.each(REPLICA_ENGINES)(
    '%s: every record is loaded at all 3 engines, found by the reads, and stop removes the directories',
    async (kind) => {
      const r = await openReplicaEngines(kind);
      try {
        expect(r.engines).toHaveLength(3);
        await loadReplicaEngines(r, 50, 8);
        const op = replicaEngineOp(r, 'C', 50);
        for (let seq = 0; seq < 100; seq++) await op(seq); // rejects if any read finds nothing
        const update = replicaEngineOp(r, 'A', 50);
        for (let seq = 0; seq < 100; seq++) await update(seq);
      } finally {
        await r.stop();
      }
      expect(existsSync(r.dir)).toBe(false);
    },
  );
});
