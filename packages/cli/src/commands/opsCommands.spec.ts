import { describe, expect, it } from '@jest/globals';
import type { AdminStatus } from '@dynamis/core';
import { hintsTable } from './opsCommands';

const status = (nodeId: string, hints?: AdminStatus['hints']): AdminStatus => ({
  nodeId,
  plugins: [],
  replication: { n: 3, w: 2, r: 2 },
  members: [],
  ...(hints === undefined ? {} : { hints }),
});

describe('dynamis hints table', () => {
  it('one row per holder and target with hints pending, sorted by target; - when none; a node without handoff or unreachable says so', () => {
    const text = hintsTable([
      { address: 'ws://h:1', reachable: true, status: status('n1', { pending: { n3: 12, n2: 1, n4: 0 }, total: 13 }) },
      { address: 'ws://h:2', reachable: true, status: status('n2', { pending: {}, total: 0 }) },
      { address: 'ws://h:3', reachable: true, status: status('n3') },
      { address: 'ws://h:4', reachable: false, error: { code: 'UNAVAILABLE', message: 'refused' } },
    ]);
    expect(text.split('\n')).toEqual([
      'NODE  ADDRESS   FOR                        PENDING',
      'n1    ws://h:1  n2                         1',
      'n1    ws://h:1  n3                         12',
      'n2    ws://h:2  -                          0',
      'n3    ws://h:3  -                          no hinted handoff',
      '?     ws://h:4  unreachable (UNAVAILABLE)',
      '',
    ]);
  });
});
