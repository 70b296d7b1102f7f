import { chaosSuite } from './chaosSuite';

// Kill and restart on engine-lsm over a 'faulty' disk (each crash a power loss of one node; fsync 'always'),
// and frozen nodes (pause / resume).
chaosSuite('crashes and pauses', [
  {
    label: 'kill (power loss) lww lsm',
    options: { nemesis: 'kill', resolver: 'lww', engine: 'lsm', disk: 'faulty', workload: { opsPerClient: 10 } },
    seeds: 25,
    base: 5000,
  },
  {
    label: 'pause lww',
    options: { nemesis: 'pause', resolver: 'lww', engine: 'memory', workload: { opsPerClient: 10 } },
    seeds: 25,
    base: 6000,
  },
]);
