// @dynamis/workload: YCSB core workloads A–F against any WorkloadTarget,
// with YCSB's key choosers and HDR latency percentiles.
export * from './types';
export * from './workloads';
export * from './validateSpec';
export * from './loadPhase';
export * from './runPhase';
export * from './OperationStream';
export * from './SeededSource';
export * from './zipfian';
export * from './ZipfianGenerator';
export * from './LatencyHistogram';
