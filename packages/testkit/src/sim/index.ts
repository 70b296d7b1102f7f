// Deterministic simulation: virtual time, seeded randomness, simulated network.
export { Scheduler, type ScheduledEvent, type SchedulerOptions } from './Scheduler';
export { VirtualClock, DEFAULT_EPOCH_MS, type VirtualClockOptions } from './VirtualClock';
export { SeededRandom } from './SeededRandom';
export { DEFAULT_LINK_FAULTS, mergeLinkFaults, type LinkFaults, type ResolvedLinkFaults } from './LinkFaults';
export { SimNetwork, type SimNetworkOptions } from './SimNetwork';
export { SimTransport } from './SimTransport';
export { digestTrace, type TraceEvent, type TraceRecord } from './trace';
export { wireCopy } from '@dynamis/core'; // moved to core (one definition of wire semantics); re-exported for existing imports
export { Simulation, type SimulationOptions } from './Simulation';
export { runSimulation } from './runSimulation';
export { seedFromEnv } from './seedFromEnv';
export { simulatedEnvironment, type SimulatedEnvironmentOptions } from './simulatedEnvironment';
export { FencedFileSystem } from './FencedFileSystem';
export { SimLog, DEFAULT_SIM_LOG_LINES, type SimLogOptions } from './SimLog';
