import { chaosSuite } from './chaosSuite';

// Partitions of every shape (the simulated network's partition, isolate and cut), under LWW.
const register = { resolver: 'lww', engine: 'memory', workload: { opsPerClient: 10 } } as const;

chaosSuite('partitions', [
  { label: 'partition-one lww', options: { ...register, nemesis: 'partition-one' }, seeds: 13, base: 1000 },
  { label: 'partition-halves lww', options: { ...register, nemesis: 'partition-halves' }, seeds: 13, base: 2000 },
  { label: 'partition-bridge lww', options: { ...register, nemesis: 'partition-bridge' }, seeds: 13, base: 3000 },
  { label: 'partition-ring lww', options: { ...register, nemesis: 'partition-ring' }, seeds: 13, base: 4000 },
]);
