import { describe, expect, it } from '@jest/globals';
import type { CpuProfile } from './cpuProfile';
import { profileTable } from './profileTable';

describe('profileTable', () => {
  it('prints the idle share, then frames and owners as shares of the busy samples, idle left out', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: 0 } },
        { id: 2, callFrame: { functionName: 'encode', url: 'file:///w/packages/transport-ws/dist/wire/E.js', lineNumber: 9 } },
        { id: 3, callFrame: { functionName: 'writeBuffer', url: '', lineNumber: 0 } },
      ],
      samples: [1, 1, 2, 2, 2, 3],
    };
    expect(profileTable(profile, 5)).toEqual([
      'idle: 33.3% of the samples; shares below are of the busy samples',
      '',
      '| self (busy) | function (file:line) | owner |',
      '| ---: | --- | --- |',
      '| 75.0% | `encode (transport-ws/dist/wire/E.js:10)` | @dynamis/transport-ws |',
      '| 25.0% | `writeBuffer` | writeBuffer |',
      '',
      '| self (busy) | owner |',
      '| ---: | --- |',
      '| 75.0% | @dynamis/transport-ws |',
      '| 25.0% | writeBuffer |',
    ]);
  });
});
