import { parseArgs } from './main';

describe('npm run chaos arguments', () => {
  it('reads every flag, with defaults', () => {
    expect(parseArgs([])).toMatchObject({
      seeds: 100,
      nemesis: 'mixed',
      resolver: 'vclock',
      engine: 'memory',
      disk: 'memory',
      workload: 'register',
      ops: 10,
    });
    expect(
      parseArgs([
        '--seeds',
        '10000',
        '--nemesis',
        'kill+pause',
        '--resolver',
        'lww',
        '--engine',
        'lsm',
        '--disk',
        'faulty',
        '--ops',
        '4',
        '--seed',
        '7',
      ]),
    ).toMatchObject({
      seeds: 10000,
      seed: 7,
      nemesis: 'kill+pause',
      resolver: 'lww',
      engine: 'lsm',
      disk: 'faulty',
      ops: 4,
    });
  });

  it('refuses unknown flags, bad values, unknown nemeses and a set workload without vector clocks, with the usage', () => {
    for (const argv of [
      ['--fast'],
      ['--seeds', 'x'],
      ['--resolver', 'crdt'],
      ['--nemesis', 'meteor'],
      ['--workload', 'set', '--resolver', 'lww'],
    ]) {
      expect(() => parseArgs(argv)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(() => parseArgs(['--fast'])).toThrow(/usage: npm run chaos/);
  });
});
