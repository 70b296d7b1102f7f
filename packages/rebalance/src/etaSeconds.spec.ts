import { describe, expect, it } from '@jest/globals';
import { etaSeconds } from './PartitionRebalancer';

describe('etaSeconds', () => {
  it('is partitions left × mean partition bytes so far / rate so far, rounded', () => {
    // 4 received, 1000 bytes each on average; 6 left at 500 B/s: 6 × 1000 / 500 = 12 s.
    expect(etaSeconds({ pending: 5, streaming: 1, done: 4, bytesMoved: 4000, bytesPerSecond: 500 })).toBe(12);
    expect(etaSeconds({ pending: 0, streaming: 1, done: 3, bytesMoved: 1000, bytesPerSecond: 3000 })).toBe(0);
  });

  it('is unknown with nothing left, nothing received yet, or no rate', () => {
    expect(etaSeconds({ pending: 0, streaming: 0, done: 4, bytesMoved: 4000, bytesPerSecond: 500 })).toBeUndefined();
    expect(etaSeconds({ pending: 3, streaming: 1, done: 0, bytesMoved: 100, bytesPerSecond: 500 })).toBeUndefined();
    expect(etaSeconds({ pending: 3, streaming: 1, done: 2, bytesMoved: 100, bytesPerSecond: 0 })).toBeUndefined();
  });
});
