import { loadPhase, runPhase } from '@dynamis/workload';
import type { WorkloadDriver } from './workloadDriver';

/** The experiment's workload: @dynamis/workload's YCSB load and run phases over one target per node. */
export function ycsbDriver(): WorkloadDriver {
  return {
    name: '@dynamis/workload',
    load: (targets, spec, onProgress) => loadPhase(targets, spec, onProgress),
    run: (targets, spec, onProgress) => runPhase(targets, spec, onProgress),
  };
}
