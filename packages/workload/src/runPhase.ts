import { performance } from 'node:perf_hooks';
import { DynamisError } from '@dynamis/core';
import { OperationStream, type Operation } from './OperationStream';
import { PhaseRecorder } from './PhaseRecorder';
import { phaseSetup } from './phaseSetup';
import { runLoops } from './runLoops';
import type { PhaseResult, WorkloadSpec, WorkloadTarget } from './types';
import { recordKey, WORKLOADS } from './workloads';

/**
 * YCSB's transaction (run) phase: spec.operations operations drawn by an
 * OperationStream from the seed, spec.concurrency in flight, operation i
 * through targets[i % targets.length]. A read that finds nothing counts in
 * `notFound`; a rejected operation counts in errorsByCode (not retried, not
 * thrown). An rmw is one get then one put of the same record through the
 * same target, timed as a whole. Expects the records loaded (loadPhase with
 * the same records). Throws INVALID_ARGUMENT for a bad spec or when the
 * workload scans and a target has no `scan`, before any operation; and the
 * first failure's code when every operation failed. `onProgress(done,
 * total)` is called after each operation settles.
 */
export async function runPhase(
  target: WorkloadTarget | readonly WorkloadTarget[],
  spec: WorkloadSpec,
  onProgress?: (done: number, total: number) => void,
): Promise<PhaseResult> {
  const { targets, seed, values } = phaseSetup(target, spec);
  if (WORKLOADS[spec.workload].proportions.scan > 0 && targets.some((t) => t.scan === undefined)) {
    throw new DynamisError('INVALID_ARGUMENT', `workload ${spec.workload} scans, and this target cannot scan`, {
      details: { field: 'workload' },
    });
  }
  const stream = new OperationStream(spec, seed);
  const recorder = new PhaseRecorder();
  const total = spec.operations;
  const start = performance.now();
  await runLoops(total, spec.concurrency, async (i) => {
    const op = stream.next();
    const t0 = performance.now();
    try {
      await perform(targets[i % targets.length]!, op, values[i % values.length]!, recorder);
      recorder.succeeded(op.type, (performance.now() - t0) * 1000);
    } catch (err) {
      recorder.failed(err);
    } finally {
      stream.settled(op);
    }
    onProgress?.(recorder.done, total);
  });
  return recorder.result((performance.now() - start) / 1000, seed, `workload ${spec.workload}`);
}

async function perform(target: WorkloadTarget, op: Operation, value: Uint8Array, recorder: PhaseRecorder): Promise<void> {
  const key = recordKey(op.record);
  switch (op.type) {
    case 'read':
      if (!(await target.get(key)).found) recorder.missed();
      return;
    case 'update':
    case 'insert':
      return target.put(key, value);
    case 'scan':
      recorder.scanned(await target.scan!(key, op.scanLength));
      return;
    case 'rmw':
      if (!(await target.get(key)).found) recorder.missed();
      return target.put(key, value);
  }
}
