import { describe, expect, it } from '@jest/globals';
import { asVersion } from '../ports/types';
import { dataKey } from './keySpace';
import { encodeRecord } from './recordCodec';
import { recordCompactionFilter, recordCompactionFilterAt } from './recordCompactionFilter';
import * as core from '../index';

const v = asVersion(Uint8Array.of(1));
const record = (expiresAt: number | undefined): Uint8Array =>
  encodeRecord([{ version: v, value: Uint8Array.of(7), writtenAt: 100, ...(expiresAt === undefined ? {} : { expiresAt }) }]);

describe('recordCompactionFilter portability', () => {
  it('describes itself as recordCompactionFilterAt(now sampled at job start, graceMs), which @dynamis/core exports', () => {
    let now = 1000;
    const filter = recordCompactionFilter(() => now, 50);
    const spec = filter.portable!();
    expect(spec).toEqual({ module: '@dynamis/core', export: 'recordCompactionFilterAt', args: [1000, 50] });
    now = 5000; // the spec was sampled; a later clock does not change it
    expect(structuredClone(spec)).toEqual(spec);
    const factory = (core as unknown as Record<string, (...args: unknown[]) => typeof filter>)[spec.export]!;
    const rebuilt = factory(...spec.args);
    const key = dataKey(0, 'k');
    // expired at 900 + grace 50 <= 1000: purged by the rebuilt filter; 960 + 50 > 1000: kept (the live clock would purge it)
    expect(rebuilt(key, record(900))).toEqual({ action: 'remove' });
    expect(rebuilt(key, record(960))).toEqual({ action: 'keep' });
    expect(filter(key, record(960))).toEqual({ action: 'remove' });
    expect(rebuilt.portable!()).toEqual(spec);
  });

  it('recordCompactionFilterAt judges at its fixed instant', () => {
    const f = recordCompactionFilterAt(2000, 0);
    expect(f(dataKey(0, 'k'), record(1999))).toEqual({ action: 'remove' });
    expect(f(dataKey(0, 'k'), record(2001))).toEqual({ action: 'keep' });
    expect(f(Uint8Array.of(0x6d, 1), record(1))).toEqual({ action: 'keep' }); // not a data key
  });
});
