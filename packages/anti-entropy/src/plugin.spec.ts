import { describe, expect, it } from '@jest/globals';
import { isDynamisError } from '@dynamis/core';
import { antiEntropy } from './plugin';
import { AE_MESSAGE } from './protocol';

const code = (f: () => unknown): string => {
  try {
    f();
    return 'no error';
  } catch (err) {
    return isDynamisError(err) ? err.code : String(err);
  }
};

describe('antiEntropy()', () => {
  it('declares the port, its needs and its message types', () => {
    const plugin = antiEntropy();
    expect(plugin.provides).toEqual(['AntiEntropy']);
    expect(plugin.needs).toEqual(expect.arrayContaining(['Replica', 'ReplicaClient', 'PeerRpc', 'Partitioner', 'Clock']));
    expect(plugin.optional).toEqual(['Membership']);
    expect(plugin.messages).toEqual([AE_MESSAGE.nodes, AE_MESSAGE.leaf]);
  });

  it.each([
    [{ bogus: 1 }],
    [{ treeLevels: 0 }],
    [{ treeLevels: 5 }],
    [{ treeLevels: 1.5 }],
    [{ intervalMs: 0 }],
    [{ scheduler: false, intervalMs: 10 }],
    [{ scheduler: 'yes' }],
    [{ maxNodesPerRequest: 15 }],
    [{ maxNodesPerRequest: 4097 }],
    [{ maxKeysPerRequest: 0 }],
    [{ maxKeysPerRequest: 4097 }],
    [{ maxBytesPerSecond: 1000 }],
    [{ rebuildKeysPerSecond: 0 }],
    [{ exchangeTimeoutMs: 0 }],
  ])('refuses %j with INVALID_CONFIG', (options) => {
    expect(code(() => antiEntropy(options as never))).toBe('INVALID_CONFIG');
  });

  it('accepts every option in range', () => {
    const options = {
      treeLevels: 4,
      intervalMs: 1,
      maxNodesPerRequest: 16,
      maxKeysPerRequest: 1,
      maxBytesPerSecond: 1024,
      rebuildKeysPerSecond: 1,
      exchangeTimeoutMs: 1,
    };
    expect(code(() => antiEntropy(options))).toBe('no error');
  });
});
