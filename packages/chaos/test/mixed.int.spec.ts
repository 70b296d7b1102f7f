import { chaosSuite } from './chaosSuite';

// Every nemesis, one at a time in random order, and two at once: shared sets (vector clocks, sibling union) and registers.
chaosSuite('mixed nemeses', [
  {
    label: 'mixed vclock sets',
    options: { nemesis: 'mixed', resolver: 'vclock', engine: 'memory', workload: { workload: 'set', opsPerClient: 10 } },
    seeds: 20,
    base: 9000,
  },
  {
    label: 'kill+partition-halves vclock sets lsm',
    options: { nemesis: 'kill+partition-halves', resolver: 'vclock', engine: 'lsm', workload: { workload: 'set', opsPerClient: 10 } },
    seeds: 10,
    base: 10000,
  },
  {
    label: 'mixed vclock',
    options: { nemesis: 'mixed', resolver: 'vclock', engine: 'memory', workload: { opsPerClient: 10 } },
    seeds: 10,
    base: 11000,
  },
  {
    label: 'mixed lww',
    options: { nemesis: 'mixed', resolver: 'lww', engine: 'memory', workload: { opsPerClient: 10 } },
    seeds: 10,
    base: 12000,
  },
]);
