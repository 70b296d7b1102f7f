import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { encodeHlc, LwwResolver } from '@dynamis/conflict-lww';
import {
  parseConfig,
  ManualClock,
  PeerRpc,
  asVersion,
  type Sibling,
  ReplicaClient,
  decodeScanCursor,
  encodeScanCursor,
  scanEntryBytes,
  type ScanPageRequest,
  type ScanPageResult,
  SCAN_MAX_FETCHES,
  SCAN_PAGE_BYTES,
  walkScan,
  type ScanPageFetcher,
} from '@dynamis/core';

const LIMITS = { maxKeyBytes: 64, maxValueBytes: 1 << 20, maxBatchOps: 10 };
const resolver = new LwwResolver({ maxSkewMs: 1000 });
const version = (n: number) => asVersion(encodeHlc({ physical: n, logical: 0, writer: 'n1' }));
const live = (v: string | Uint8Array, n = 1): Sibling => ({
  version: version(n),
  value: typeof v === 'string' ? Buffer.from(v) : v,
  writtenAt: n,
});

/** A fetcher over `data` (partition → sorted keys) keeping to limit and maxBytes as a replica does, recording its calls; every record is live. */
function fetcher(data: Record<number, string[]>, value: (key: string) => Uint8Array = (k) => Buffer.from(k)) {
  const calls: Array<{ partition: number } & ScanPageRequest> = [];
  const fetch: ScanPageFetcher = async (partition, request) => {
    calls.push({ partition, ...request });
    const keys = (data[partition] ?? []).filter((k) => request.after === undefined || k > request.after);
    const page: string[] = [];
    let bytes = 0;
    for (const key of keys.slice(0, request.limit)) {
      const size = scanEntryBytes(key, [live(value(key))]);
      if (page.length > 0 && bytes + size > request.maxBytes) break;
      page.push(key);
      bytes += size;
    }
    const entries = page.map((key) => ({ key, siblings: [live(value(key))] }));
    return { entries, next: page.length < keys.length ? page.at(-1)! : null } satisfies ScanPageResult;
  };
  return { fetch, calls };
}

describe('scan cursor', () => {
  it('round-trips a position and refuses anything else (INVALID_ARGUMENT)', () => {
    for (const p of [{ partition: 0 }, { partition: 7, after: 'k/ü 1' }]) expect(decodeScanCursor(encodeScanCursor(p), 8, 64)).toEqual(p);
    for (const bad of [
      '',
      '8.',
      '-1.',
      '01.',
      '1',
      '1.a+b',
      '1.=',
      'x.',
      `1.${Buffer.from('x'.repeat(65)).toString('base64url')}`,
      '1.gA',
    ]) {
      expect({
        bad,
        thrown: (() => {
          try {
            decodeScanCursor(bad, 8, 64);
            return undefined;
          } catch (e) {
            return (e as { code: string }).code;
          }
        })(),
      }).toEqual({ bad, thrown: 'INVALID_ARGUMENT' });
    }
  });
});

describe('walkScan (the coordinator side of a cluster scan)', () => {
  it('walks partitions in order, resuming within a partition from the cursor, each key once', async () => {
    const { fetch } = fetcher({ 0: ['a', 'b', 'c'], 2: ['d'], 3: ['e', 'f'] });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await walkScan({ limit: 2, cursor }, 4, LIMITS, fetch, resolver, () => 10);
      seen.push(...page.items.map((i) => i.key));
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    const one = await walkScan({ limit: 10 }, 4, LIMITS, fetch, resolver, () => 10);
    expect(one.items[0]).toEqual({
      key: 'a',
      siblings: [{ value: Buffer.from('a'), writtenAt: 1 }],
      context: resolver.context([live('a')]),
    });
  });

  it(`returns after ${SCAN_MAX_FETCHES} replica pages over empty partitions, with a cursor where it stopped`, async () => {
    const { fetch, calls } = fetcher({ 100: ['z'] });
    const first = await walkScan({}, 128, LIMITS, fetch, resolver, () => 10);
    expect(first).toEqual({ items: [], cursor: encodeScanCursor({ partition: SCAN_MAX_FETCHES }) });
    expect(calls).toHaveLength(SCAN_MAX_FETCHES);
    const second = await walkScan({ cursor: first.cursor! }, 128, LIMITS, fetch, resolver, () => 10);
    expect(second.items.map((i) => i.key)).toEqual(['z']);
    expect(second.cursor).toBeNull();
  });

  it('stops at SCAN_PAGE_BYTES, asking each replica page only for the bytes left', async () => {
    const big = new Uint8Array(SCAN_PAGE_BYTES / 2);
    const { fetch, calls } = fetcher({ 0: ['a', 'b', 'c'] }, () => big);
    const page = await walkScan({ limit: 1 }, 1, LIMITS, fetch, resolver, () => 10);
    expect(calls[0]).toMatchObject({ limit: 1, maxBytes: SCAN_PAGE_BYTES });
    const all = await walkScan({ limit: 10 }, 1, LIMITS, fetch, resolver, () => 10);
    expect(all.items.length).toBe(2);
    expect(all.cursor).toBe(encodeScanCursor({ partition: 0, after: 'b' }));
    expect(calls[2]!.maxBytes).toBeLessThan(SCAN_PAGE_BYTES / 2);
    expect(page.items).toHaveLength(1);
  });
});

describe('ReplicaClient.scan checks the reply', () => {
  const config = parseConfig({ log: { level: 'silent' } });
  const client = (payload: unknown) => {
    const rpc = { call: async () => payload } as unknown as PeerRpc;
    return new ReplicaClient(rpc, resolver, new ManualClock(), config);
  };
  const entry = (key: string) => ({ key, siblings: [live(key)] });
  const request = { after: 'b', prefix: 'b', limit: 2, maxBytes: 100 };

  it('accepts an ordered page within the request', async () => {
    await expect(client({ entries: [entry('bb'), entry('bc')], next: 'bc' }).scan('n2', 0, request)).resolves.toMatchObject({ next: 'bc' });
  });

  it.each([
    ['out of order', { entries: [entry('bc'), entry('bb')], next: null }],
    ['not after `after`', { entries: [entry('b')], next: null }],
    ['outside the prefix', { entries: [entry('c')], next: null }],
    ['over the limit', { entries: [entry('ba'), entry('bb'), entry('bc')], next: null }],
    ['a position behind its entries', { entries: [entry('bc')], next: 'bb' }],
  ])('refuses a page %s (PROTOCOL_ERROR naming the node)', async (_what, payload) => {
    await expect(client(payload).scan('n2', 0, request)).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', details: { peer: 'n2' } });
  });
});
