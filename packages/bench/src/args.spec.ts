import { describe, expect, it } from '@jest/globals';
import { BenchArgsError, DEFAULT_SECTIONS, DEFAULTS, parseBenchArgs } from './args';

describe('parseBenchArgs', () => {
  it('defaults to every section but profile and every workload, with the documented numbers', () => {
    expect(DEFAULT_SECTIONS).toEqual(['cluster', 'ceiling', 'floor', 'engines', 'single', 'redis', 'rebalance']);
    expect(parseBenchArgs([])).toEqual({
      help: false,
      sections: [...DEFAULT_SECTIONS],
      workloads: ['A', 'B', 'C'],
      seconds: DEFAULTS.seconds,
      warmupSeconds: DEFAULTS.warmupSeconds,
      rounds: DEFAULTS.rounds,
      records: DEFAULTS.records,
      inflight: DEFAULTS.inflight,
      redisServer: '/usr/bin/redis-server',
      clusterEngine: 'lsm',
      profileEngine: 'memory',
    });
  });

  it('reads --name value and --name=value, lists in canonical order without duplicates', () => {
    const a = parseBenchArgs(['--only', 'redis,cluster,redis', '--seconds=2.5', '--rounds', '5', '--records', '1000', '--inflight=16']);
    expect(a.sections).toEqual(['cluster', 'redis']);
    expect([a.seconds, a.rounds, a.records, a.inflight]).toEqual([2.5, 5, 1000, 16]);
    expect(parseBenchArgs(['--workloads', 'C,A']).workloads).toEqual(['A', 'C']);
    expect(parseBenchArgs(['--warmup', '0']).warmupSeconds).toBe(0);
    expect(parseBenchArgs(['--cpu-prof', '/tmp/p']).cpuProfDir).toBe('/tmp/p');
    expect(parseBenchArgs(['-h']).help).toBe(true);
    expect(parseBenchArgs(['--cluster-engine', 'memory']).clusterEngine).toBe('memory');
    expect(parseBenchArgs(['--only', 'profile', '--profile-engine', 'lsm'])).toMatchObject({ sections: ['profile'], profileEngine: 'lsm' });
    expect(parseBenchArgs(['--only', 'inprocess,cluster']).sections).toEqual(['cluster', 'inprocess']);
  });

  it.each([
    [['--only', 'clusters'], /--only: unknown 'clusters'/],
    [['--workloads', 'D'], /--workloads: unknown 'D'/],
    [['--seconds', '0'], /--seconds must be a positive number/],
    [['--seconds', 'ten'], /--seconds must be a positive number/],
    [['--rounds', '1.5'], /--rounds must be a positive integer/],
    [['--inflight', '-1'], /--inflight must be a positive integer/],
    [['--warmup', '-1'], /--warmup must be a number ≥ 0/],
    [['--records'], /--records needs a value/],
    [['--cluster-engine', 'lsm,memory'], /--cluster-engine takes one of lsm, memory/],
    [['--cluster-engine', 'rocks'], /--cluster-engine: unknown 'rocks'/],
    [['--speed', '3'], /unknown option --speed/],
    [['--profile-engine', 'lsm'], /--profile-engine needs --only profile/],
    [['--only', 'profile', '--profile-engine', 'rocks'], /--profile-engine: unknown 'rocks'/],
    [['cluster'], /unexpected argument 'cluster'/],
  ])('refuses %j naming the option', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchArgsError);
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
