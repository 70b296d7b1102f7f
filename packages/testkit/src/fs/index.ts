// File systems for engine tests: in-memory, and fault-injecting for crash tests.
export { MemoryFileSystem } from './MemoryFileSystem';
export { FaultyFileSystem } from './FaultyFileSystem';
export type { CrashOptions, FaultyFileSystemOptions, FaultyOp, FaultyStats } from './FaultyFileSystem';
