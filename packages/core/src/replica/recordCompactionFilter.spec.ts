import { describe, expect, it } from '@jest/globals';
import { asVersion, type Sibling } from '../ports/types';
import { dataKey } from './keySpace';
import { encodeRecord } from './recordCodec';
import { decodePurgeNote } from './purgeNote';
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
    expect(rebuilt(key, record(900))).toMatchObject({ action: 'remove' });
    expect(rebuilt(key, record(960))).toEqual({ action: 'keep' });
    expect(filter(key, record(960))).toMatchObject({ action: 'remove' });
    expect(rebuilt.portable!()).toEqual(spec);
  });

  it('recordCompactionFilterAt judges at its fixed instant', () => {
    const f = recordCompactionFilterAt(2000, 0);
    expect(f(dataKey(0, 'k'), record(1999))).toMatchObject({ action: 'remove' });
    expect(f(dataKey(0, 'k'), record(2001))).toEqual({ action: 'keep' });
    expect(f(Uint8Array.of(0x6d, 1), record(1))).toEqual({ action: 'keep' }); // not a data key
  });

  it('notes the versions of the siblings each purge drops', () => {
    const f = recordCompactionFilterAt(2000, 100);
    const sib = (tag: number, fields: Partial<Sibling>): Sibling => ({
      version: asVersion(Uint8Array.of(tag)),
      value: null,
      writtenAt: 1000,
      ...fields,
    });
    const live = sib(1, { value: Uint8Array.of(1) });
    const gone = sib(2, { value: null });
    const fresh = sib(3, { value: null, writtenAt: 1950 }); // tombstone within the grace
    const expired = sib(4, { value: Uint8Array.of(4), expiresAt: 1500 });
    const versions = (d: { note?: Uint8Array }) => decodePurgeNote(d.note!).map((v) => [...v]);
    const replaced = f(dataKey(0, 'k'), encodeRecord([live, gone, fresh, expired]));
    expect(replaced.action).toBe('replace');
    expect(versions(replaced as { note?: Uint8Array })).toEqual([[2], [4]]);
    const removed = f(dataKey(0, 'k'), encodeRecord([gone, expired]));
    expect(removed.action).toBe('remove');
    expect(versions(removed as { note?: Uint8Array })).toEqual([[2], [4]]);
    expect(f(dataKey(0, 'k'), encodeRecord([live, fresh]))).toEqual({ action: 'keep' });
  });
});
