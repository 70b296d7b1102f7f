export { runRealChaos, type RealRunOptions, type RealRunResult } from './runRealChaos';
export { makeSchedule, describeEvent, NEMESES, type NemesisEvent, type NemesisKind, type ScheduleOptions } from './schedule';
export {
  check,
  allowedValues,
  countOps,
  judge,
  type Verdict,
  type Counts,
  type FinalState,
  type ReadValue,
  type ReplicaCopy,
} from './check';
export { History, type HistoryEntry, type OpFunction } from './history';
export { classify, Workload, type WorkloadOptions } from './Workload';
export { NetnsNetwork, cleanupStale, netnsUnavailable, NS_PREFIX } from './netns';
export { faketimeAvailable, faketimeEnv, LIBFAKETIME, type NodeCommand } from './NodeProcess';
export { formatReport } from './report';
