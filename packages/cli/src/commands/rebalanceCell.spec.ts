import { describe, expect, it } from '@jest/globals';
import { rebalanceCell } from './adminCommands';

const base = {
  placementHash: 'h',
  pending: 0,
  streaming: 0,
  done: 0,
  toDrop: 0,
  dropped: 0,
  bytesMoved: 0,
  keysMoved: 0,
  bytesPerSecond: 0,
  settled: true,
};

describe('the REBALANCE column of dynamis status', () => {
  it('says settled, or what is left with the rate and the ETA when known', () => {
    expect(rebalanceCell(undefined)).toBe('-');
    expect(rebalanceCell(base)).toBe('settled');
    expect(rebalanceCell({ ...base, settled: false, pending: 3, streaming: 1, toDrop: 2 })).toBe('4 to receive (1 streaming), 2 to drop');
    expect(rebalanceCell({ ...base, settled: false, pending: 3, streaming: 1, bytesPerSecond: 2_500_000, etaSeconds: 42 })).toBe(
      '4 to receive (1 streaming), 0 to drop 2.5 MB/s eta 42s',
    );
  });
});
