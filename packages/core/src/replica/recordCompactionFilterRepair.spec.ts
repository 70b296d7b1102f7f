import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../config/parseConfig';
import { isDynamisError } from '../errors/DynamisError';
import { asVersion, type Sibling } from '../ports/types';
import { dataKey } from './keySpace';
import { encodeRecord } from './recordCodec';
import { recordCompactionFilter, recordCompactionFilterAt } from './recordCompactionFilter';

const tomb = (writtenAt: number): Uint8Array => encodeRecord([{ version: asVersion(Uint8Array.of(1)), value: null, writtenAt }]);
const expired = (writtenAt: number, expiresAt: number): Sibling => ({
  version: asVersion(Uint8Array.of(2)),
  value: Uint8Array.of(9),
  writtenAt,
  expiresAt,
});

describe('recordCompactionFilter waiting for repair', () => {
  it('keeps a tombstone past the grace until its partition is repaired through its writtenAt', () => {
    const horizons = [-Infinity, 500];
    const f = recordCompactionFilter(() => 2000, 100, { horizons: () => horizons, maxGraceMs: 10_000 });
    expect(f(dataKey(0, 'k'), tomb(1000))).toEqual({ action: 'keep' }); // partition 0 never synced
    expect(f(dataKey(1, 'k'), tomb(1000))).toEqual({ action: 'keep' }); // synced through 500 < 1000
    horizons[1] = 1000;
    expect(f(dataKey(1, 'k'), tomb(1000))).toMatchObject({ action: 'remove' });
    expect(f(dataKey(1, 'k'), tomb(1950))).toEqual({ action: 'keep' }); // repaired but still within the grace
    expect(f(dataKey(5, 'k'), tomb(1000))).toEqual({ action: 'keep' }); // a partition the array lacks: never repaired
  });

  it('waits for repair of an expired value from its writtenAt, and gives up after maxGraceMs from expiresAt', () => {
    const f = recordCompactionFilterAt(5000, 100, 1000, [1500]);
    expect(f(dataKey(0, 'k'), encodeRecord([expired(1000, 1200)]))).toMatchObject({ action: 'remove' }); // 1500 ≥ 1000
    expect(f(dataKey(0, 'k'), encodeRecord([expired(3000, 4500)]))).toEqual({ action: 'keep' }); // not repaired, 4500 + 1000 > 5000
    expect(f(dataKey(0, 'k'), encodeRecord([expired(2000, 3900)]))).toMatchObject({ action: 'remove' }); // 3900 + 1000 ≤ 5000
  });

  it('purges anyway once a tombstone is older than maxGraceMs', () => {
    const f = recordCompactionFilter(() => 11_000, 100, { horizons: () => [-Infinity], maxGraceMs: 10_000 });
    expect(f(dataKey(0, 'k'), tomb(1001))).toEqual({ action: 'keep' });
    expect(f(dataKey(0, 'k'), tomb(1000))).toMatchObject({ action: 'remove' });
  });

  it('without horizons (no anti-entropy) the grace alone decides', () => {
    const f = recordCompactionFilter(() => 2000, 100, { horizons: () => undefined, maxGraceMs: 10_000 });
    expect(f(dataKey(0, 'k'), tomb(1900))).toMatchObject({ action: 'remove' });
    expect(f.portable!().args).toEqual([2000, 100]);
  });

  it('its portable form carries a copy of the horizons sampled at the start, and judges like the inline filter', () => {
    const horizons = new Float64Array([1000, -Infinity]);
    const f = recordCompactionFilter(() => 2000, 100, { horizons: () => horizons, maxGraceMs: 5000 });
    const spec = f.portable!();
    expect(spec).toEqual({ module: '@dynamis/core', export: 'recordCompactionFilterAt', args: [2000, 100, 5000, [1000, -Infinity]] });
    horizons[1] = 3000; // later syncs do not change the sampled spec
    const cloned = structuredClone(spec);
    expect(cloned.args).toEqual([2000, 100, 5000, [1000, -Infinity]]);
    const rebuilt = recordCompactionFilterAt(...(cloned.args as [number, number, number, number[]]));
    expect(rebuilt(dataKey(0, 'k'), tomb(1000))).toMatchObject({ action: 'remove' });
    expect(rebuilt(dataKey(1, 'k'), tomb(1000))).toEqual({ action: 'keep' });
    expect(f(dataKey(1, 'k'), tomb(1000))).toMatchObject({ action: 'remove' });
  });
});

describe('tombstones.maxGraceMs', () => {
  it('defaults to 10 × graceMs and is refused below graceMs (INVALID_CONFIG naming it)', () => {
    expect(parseConfig({ nodeId: 'a', tombstones: { graceMs: 50 } }).tombstones.maxGraceMs).toBe(500);
    expect(parseConfig({ nodeId: 'a', tombstones: { graceMs: 50, maxGraceMs: 50 } }).tombstones.maxGraceMs).toBe(50);
    let err: unknown;
    try {
      parseConfig({ nodeId: 'a', tombstones: { graceMs: 50, maxGraceMs: 49 } });
    } catch (e) {
      err = e;
    }
    expect(isDynamisError(err) && err.code).toBe('INVALID_CONFIG');
    expect(String((err as Error).message)).toContain('maxGraceMs');
  });
});
