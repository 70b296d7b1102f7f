import { chaosSuite } from './chaosSuite';

// Clock skew and jumps (within MAX_SKEW_MS) under LWW, and lossy links (drop, duplicate, delay, reorder) under vector clocks.
chaosSuite('clocks and links', [
  {
    label: 'clock lww',
    options: { nemesis: 'clock', resolver: 'lww', engine: 'memory', workload: { opsPerClient: 10 } },
    seeds: 25,
    base: 7000,
  },
  {
    label: 'links vclock',
    options: { nemesis: 'links', resolver: 'vclock', engine: 'memory', workload: { opsPerClient: 10 } },
    seeds: 25,
    base: 8000,
  },
]);
