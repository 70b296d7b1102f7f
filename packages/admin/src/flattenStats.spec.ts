import { describe, expect, it } from '@jest/globals';
import { flattenStats, metricName } from './flattenStats';

describe('flattenStats', () => {
  const stats = {
    engine: 'memory',
    approximateBytes: 10,
    open: true,
    counters: { keys: 3, bad: Infinity },
    peers: { b: { connected: false, rttMs: 2.5, name: 'x' } },
    list: [1, 2],
  };

  it('turns numbers, records of numbers and records of records into samples', () => {
    expect(flattenStats('dynamis_t', stats, 100)).toEqual({
      truncated: false,
      samples: [
        { name: 'dynamis_t_approximate_bytes', key: undefined, value: 10 },
        { name: 'dynamis_t_open', key: undefined, value: 1 },
        { name: 'dynamis_t_counters', key: 'keys', value: 3 },
        { name: 'dynamis_t_peers_connected', key: 'b', value: 0 },
        { name: 'dynamis_t_peers_rtt_ms', key: 'b', value: 2.5 },
      ],
    });
  });

  it('stops at the budget and says so', () => {
    const r = flattenStats('p', stats, 2);
    expect(r.samples).toHaveLength(2);
    expect(r.truncated).toBe(true);
    expect(flattenStats('p', stats, 5).truncated).toBe(false);
  });

  it('ignores non-objects and makes valid names', () => {
    expect(flattenStats('p', 3, 10)).toEqual({ samples: [], truncated: false });
    expect(metricName('bytesTransferred')).toBe('bytes_transferred');
    expect(metricName('a-b.c')).toBe('a_b_c');
  });
});
