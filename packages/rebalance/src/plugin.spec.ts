import { describe, expect, it } from '@jest/globals';
import { PartitionRebalancer } from './PartitionRebalancer';
import { rebalance } from './plugin';

describe('rebalance() options', () => {
  it('provides Rebalancer and declares its message types', () => {
    const plugin = rebalance();
    expect(plugin.provides).toEqual(['Rebalancer']);
    expect(plugin.messages).toEqual(['rebalance.announce', 'rebalance.pull']);
  });

  it.each([
    [{ maxConcurrentStreams: 0 }, 'maxConcurrentStreams'],
    [{ maxConcurrentStreams: 65 }, 'maxConcurrentStreams'],
    [{ maxBytesInFlight: 100 }, 'maxBytesInFlight'],
    [{ maxBytesInFlight: 32 * 1024 * 1024 }, 'maxBytesInFlight'],
    [{ maxKeysPerPage: 0 }, 'maxKeysPerPage'],
    [{ announceIntervalMs: 1 }, 'announceIntervalMs'],
    [{ drainMs: -1 }, 'drainMs'],
    [{ pageTimeoutMs: 0 }, 'pageTimeoutMs'],
    [{ retryMs: 1.5 }, 'retryMs'],
    [{ speed: 'fast' }, 'speed'],
  ])('refuses %j with INVALID_CONFIG naming %s', (options, key) => {
    expect(() => rebalance(options as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(key) }),
    );
  });

  it('PartitionRebalancer validates its options too', () => {
    expect(() => new PartitionRebalancer({} as never, { maxConcurrentStreams: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});
