import { describe, expect, it } from '@jest/globals';
import type { CpuProfile } from './cpuProfile';
import { profileDiff, profileDiffTable } from './profileDiff';

const frame = (id: number, functionName: string, url: string): CpuProfile['nodes'][number] => ({
  id,
  callFrame: { functionName, url, lineNumber: 0 },
});
const nodes = [
  frame(1, 'get', 'file:///w/packages/engine-lsm/dist/db/Db.js'),
  frame(2, 'call', 'file:///w/packages/core/dist/kernel/PeerRpc.js'),
  frame(3, '(garbage collector)', ''),
  frame(4, '(idle)', ''),
];
// a: get 3, gc 1 of 4 busy samples (+ 4 idle); b: get 2, call 4, gc 2 of 8 busy samples.
const a: CpuProfile = { nodes, samples: [1, 1, 1, 3, 4, 4, 4, 4] };
const b: CpuProfile = { nodes, samples: [1, 1, 2, 2, 2, 2, 3, 3] };

describe('profileDiff', () => {
  it("gives each function's self time in µs per op on both sides, largest growth first, idle left out", () => {
    const { frames, owners } = profileDiff(a, 40, b, 80, 10);
    expect(frames).toEqual([
      { frame: 'call (core/dist/kernel/PeerRpc.js:1)', owner: '@dynamis/core', a: 0, b: 40 },
      { frame: '(garbage collector)', owner: '(garbage collector)', a: 10, b: 20 },
      { frame: 'get (engine-lsm/dist/db/Db.js:1)', owner: '@dynamis/engine-lsm', a: 30, b: 20 },
    ]);
    expect(owners.map((o) => [o.owner, o.a, o.b])).toEqual([
      ['@dynamis/core', 0, 40],
      ['(garbage collector)', 10, 20],
      ['@dynamis/engine-lsm', 30, 20],
    ]);
    expect(profileDiff(a, 40, b, 80, 1).frames).toHaveLength(1);
  });

  it('prints both tables with each side, the difference and the header naming the runs', () => {
    const lines = profileDiffTable(a, 40, b, 80, 10, { a: 'floor', b: 'cluster' });
    expect(lines[0]).toContain('floor 40.0, cluster 80.0');
    expect(lines[2]).toBe('| function (file:line) | owner | floor | cluster | + |');
    expect(lines[4]).toBe('| `call (core/dist/kernel/PeerRpc.js:1)` | @dynamis/core | 0.0 | 40.0 | 40.0 |');
    expect(lines[6]).toBe('| `get (engine-lsm/dist/db/Db.js:1)` | @dynamis/engine-lsm | 30.0 | 20.0 | -10.0 |');
    expect(lines).toContain('| @dynamis/core | 0.0 | 40.0 | 40.0 |');
  });
});
