import { performance } from 'node:perf_hooks';
import { PhaseRecorder } from './PhaseRecorder';
import { phaseSetup } from './phaseSetup';
import { runLoops } from './runLoops';
import type { PhaseResult, WorkloadSpec, WorkloadTarget } from './types';
import { recordKey } from './workloads';

/**
 * YCSB's load phase: inserts records 0 … spec.records − 1 (keys from
 * recordKey, values of spec.valueBytes), in order of record number, with
 * spec.concurrency in flight; record i goes to targets[i % targets.length].
 * A failed put is counted (errorsByCode), not retried and not thrown;
 * throws only when every put failed (the first failure's code), or
 * INVALID_ARGUMENT for a bad spec. `onProgress(done, total)` is called after
 * each put settles.
 */
export async function loadPhase(
  target: WorkloadTarget | readonly WorkloadTarget[],
  spec: WorkloadSpec,
  onProgress?: (done: number, total: number) => void,
): Promise<PhaseResult> {
  const { targets, seed, values } = phaseSetup(target, spec);
  const recorder = new PhaseRecorder();
  const total = spec.records;
  const start = performance.now();
  await runLoops(total, spec.concurrency, async (i) => {
    const t0 = performance.now();
    try {
      await targets[i % targets.length]!.put(recordKey(i), values[i % values.length]!);
      recorder.succeeded('insert', (performance.now() - t0) * 1000);
    } catch (err) {
      recorder.failed(err);
    }
    onProgress?.(recorder.done, total);
  });
  return recorder.result((performance.now() - start) / 1000, seed, `the load phase of workload ${spec.workload}`);
}
