import { describe, expect, it } from '@jest/globals';
import type { CausalContext, StoreBatchOp } from '@dynamis/core';
import { FakeCluster, RecordingClock, writeReply } from '../test/doubles';
import { DynamisClient } from './DynamisClient';

const TOKEN = 'a-client-token-0123456789';
const A = 'ws://a:1';
const bytes = (n: number): Uint8Array => new Uint8Array(n);

async function client(): Promise<{ c: DynamisClient; cluster: FakeCluster }> {
  const cluster = new FakeCluster().on(A, (msg) => writeReply(`${msg.type}.result`));
  const c = await DynamisClient.connect(
    { nodes: [A], token: TOKEN, limits: { maxKeyBytes: 8, maxValueBytes: 16, maxBatchOps: 2 } },
    { connector: cluster.connector, clock: new RecordingClock() },
  );
  return { c, cluster };
}

describe('DynamisClient argument checks (local, same codes as the node, nothing sent)', () => {
  it('rejects bad keys with INVALID_KEY', async () => {
    const { c, cluster } = await client();
    await expect(c.get('')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(c.get(42 as unknown as string)).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(c.get('\uD800')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(c.delete('ééééé')).rejects.toMatchObject({ code: 'INVALID_KEY', details: { bytes: 10, max: 8 } });
    await expect(c.put('x'.repeat(9), bytes(1))).rejects.toMatchObject({ code: 'INVALID_KEY' });
    expect(cluster.sent).toEqual([]);
  });

  it('rejects ill-formed UTF-16 keys (lone or reversed surrogates) with INVALID_KEY instead of sending them as U+FFFD', async () => {
    const { c, cluster } = await client();
    for (const key of ['\uD800', '\uDFFF', 'a\uD83Db', 'x\uDE00', '\uDE00\uD83D']) {
      await expect(c.get(key)).rejects.toMatchObject({ code: 'INVALID_KEY' });
      await expect(c.put(key, bytes(1))).rejects.toMatchObject({ code: 'INVALID_KEY' });
      await expect(c.batch([{ type: 'del', key }])).rejects.toMatchObject({ code: 'INVALID_KEY' });
    }
    expect(cluster.sent).toEqual([]);
    await expect(c.put('\uD83D\uDE00', bytes(1))).resolves.toMatchObject({ acks: 1 }); // a well-formed pair (4 bytes)
    expect(cluster.sent).toHaveLength(1);
  });

  it('accepts a key of exactly maxKeyBytes UTF-8 bytes and refuses one byte more, counting bytes, not characters', async () => {
    const { c, cluster } = await client();
    for (const key of ['x'.repeat(8), 'éééé', 'é'.repeat(3) + 'xx', '\uD83D\uDE00\uD83D\uDE00']) {
      await expect(c.put(key, bytes(1))).resolves.toMatchObject({ acks: 1 });
    }
    expect(cluster.sent.map((s) => (s.payload as { key: string }).key)).toEqual(['x'.repeat(8), 'éééé', 'ééé' + 'xx', '😀😀']);
    for (const [key, n] of [
      ['x'.repeat(9), 9],
      ['éééé' + 'x', 9],
      ['😀😀x', 9],
      ['ééééé', 10],
    ] as const) {
      await expect(c.put(key, bytes(1))).rejects.toMatchObject({ code: 'INVALID_KEY', details: { bytes: n, max: 8 } });
      await expect(c.get(key)).rejects.toMatchObject({ code: 'INVALID_KEY', details: { bytes: n, max: 8 } });
    }
    expect(cluster.sent).toHaveLength(4);
  });

  it('rejects values over the limit with VALUE_TOO_LARGE and non-bytes with INVALID_ARGUMENT', async () => {
    const { c, cluster } = await client();
    await expect(c.put('k', bytes(17))).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE', details: { bytes: 17, max: 16 } });
    await expect(c.putIfAbsent('k', bytes(17))).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' });
    await expect(c.put('k', 'text' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.put('k', bytes(16))).resolves.toMatchObject({ acks: 1 });
    expect(cluster.sent).toHaveLength(1);
  });

  it('rejects bad options with INVALID_ARGUMENT', async () => {
    const { c, cluster } = await client();
    const bad: Array<() => Promise<unknown>> = [
      () => c.put('k', bytes(1), { ttlMs: 0 }),
      () => c.put('k', bytes(1), { ttlMs: 1.5 }),
      () => c.put('k', bytes(1), { consistency: 'most' as 'one' }),
      () => c.put('k', bytes(1), { consistency: 0 }),
      () => c.put('k', bytes(1), { timeoutMs: -1 }),
      () => c.put('k', bytes(1), { context: 'ctx' as unknown as CausalContext }),
      () => c.put('k', bytes(1), { ifAbsent: true, ifVersion: Uint8Array.of(1) as CausalContext }),
      () => c.putIfVersion('k', bytes(1), 'v1' as unknown as CausalContext),
      () => c.delete('k', { ttlMs: 5 } as object),
      () => c.get('k', null as unknown as object),
    ];
    for (const call of bad) await expect(call()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(cluster.sent).toEqual([]);
  });

  it('checks every batch op before sending any', async () => {
    const { c, cluster } = await client();
    const put = (key: string, n = 1): StoreBatchOp => ({ type: 'put', key, value: bytes(n) });
    await expect(c.batch([put('a'), put('')])).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(c.batch([put('a'), put('b', 17)])).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' });
    await expect(c.batch([put('a'), put('b'), put('c')])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.batch([{ type: 'merge', key: 'a' } as unknown as StoreBatchOp])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.batch('ops' as unknown as StoreBatchOp[])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.batch([put('a')], { ifAbsent: true } as object)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(cluster.sent).toEqual([]);
    await expect(c.batch([])).resolves.toEqual([]);
    await expect(c.batch([put('a'), { type: 'del', key: 'b' }])).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' }); // the fake node's reply is no batch result
    expect(cluster.sent).toHaveLength(1);
  });

  it('validates its options with INVALID_CONFIG, never echoing the token', async () => {
    const secret = 'short-token';
    const err = await DynamisClient.connect({ nodes: [], token: secret }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG' });
    expect((err as Error).message).toContain('nodes');
    expect((err as Error).message).toContain('token');
    expect(JSON.stringify(err) + (err as Error).message).not.toContain(secret);
  });
});
