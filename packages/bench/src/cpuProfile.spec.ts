import { describe, expect, it } from '@jest/globals';
import { summariseProfile, type CpuProfile } from './cpuProfile';

const frame = (id: number, functionName: string, url: string, lineNumber = 0): CpuProfile['nodes'][number] => ({
  id,
  callFrame: { functionName, url, lineNumber },
});

describe('summariseProfile', () => {
  const profile: CpuProfile = {
    nodes: [
      frame(1, '(root)', ''),
      frame(2, 'encode', 'file:///work/main/node_modules/msgpackr/pack.js', 9),
      frame(3, 'parse', 'file:///work/main/packages/core/dist/wire/frame.js', 41),
      frame(4, '(garbage collector)', ''),
      frame(5, 'parse', 'file:///work/main/packages/core/dist/wire/frame.js', 41), // same function, other call path
      frame(6, 'writev', 'node:internal/stream_base_commons', 120),
      frame(7, '(idle)', ''),
    ],
    samples: [2, 2, 3, 4, 5, 5, 6, 2, 3, 4, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7],
  };

  it('adds up the self samples of a function over its call paths and ranks by share', () => {
    const { frames, idleShare } = summariseProfile(profile, 4);
    expect(frames).toEqual([
      { frame: '(idle)', owner: '(idle)', share: 0.5, busyShare: NaN },
      { frame: 'parse (core/dist/wire/frame.js:42)', owner: '@dynamis/core', share: 0.2, busyShare: 0.4 },
      { frame: 'encode (msgpackr/pack.js:10)', owner: 'msgpackr', share: 0.15, busyShare: 0.3 },
      { frame: '(garbage collector)', owner: '(garbage collector)', share: 0.1, busyShare: 0.2 },
    ]);
    expect(idleShare).toBe(0.5);
  });

  it('sums by owner: package, node internals, V8 category', () => {
    expect(summariseProfile(profile, 10).owners).toEqual([
      { owner: '(idle)', share: 0.5, busyShare: NaN },
      { owner: '@dynamis/core', share: 0.2, busyShare: 0.4 },
      { owner: 'msgpackr', share: 0.15, busyShare: 0.3 },
      { owner: '(garbage collector)', share: 0.1, busyShare: 0.2 },
      { owner: 'node', share: 0.05, busyShare: 0.1 },
    ]);
  });

  it('gives empty lists for a profile without samples', () => {
    expect(summariseProfile({ nodes: profile.nodes, samples: [] }, 5)).toEqual({ frames: [], owners: [], idleShare: 0 });
  });
});
