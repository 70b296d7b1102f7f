// @dynamis/chaos: the fault-injection suite (README).
export * from './history';
export { HistoryBuilder } from './HistoryBuilder';
export * from './checkers';
export * from './nemesis';
export { chaosCluster, REPLICATION, type ChaosCluster, type ChaosClusterOptions } from './sim/chaosCluster';
export { runClients, classify, decodeSet, encodeSet, DEFAULT_WORKLOAD, type WorkloadOptions } from './sim/clients';
export { runChaos, type ChaosOptions, type ChaosReport } from './sim/runChaos';
export { replayCommand, describeFailure, summarize, formatSummary, type SummaryRow } from './sim/report';
// Hostile peers: a compromised node (a Transport decorator that authenticates for real and sends bad content)
// and builders of bad content in valid shapes (README "Hostile peers").
export * from './hostile';
