import { describe, expect, it } from '@jest/globals';
import { DynamisError, type CausalContext, type Envelope } from '@dynamis/core';
import { FakeCluster, fixedRandom, RecordingClock, writeReply } from '../test/doubles';
import { DynamisClient } from './DynamisClient';
import { backoffMs, shouldRetry } from './retry';

const TOKEN = 'a-client-token-0123456789';
const A = 'ws://a:1';
const B = 'ws://b:1';
const C = 'ws://c:1';
const v = (s: string): Uint8Array => new TextEncoder().encode(s);

function connect(
  cluster: FakeCluster,
  extra: { retries?: number; nodes?: string[] } = {},
): Promise<DynamisClient> & { clock?: RecordingClock } {
  const clock = new RecordingClock();
  const p = DynamisClient.connect(
    { nodes: extra.nodes ?? [A, B, C], token: TOKEN, retries: extra.retries, backoff: { initialMs: 100, maxMs: 300 } },
    { connector: cluster.connector, clock, random: fixedRandom(0.999) },
  );
  return Object.assign(p, { clock });
}

const fail =
  (code: 'UNAVAILABLE' | 'TIMEOUT' | 'CONFLICT' | 'QUORUM_NOT_REACHED', details = {}) =>
  (): Envelope => {
    throw new DynamisError(code, `${code} here`, { details });
  };
const found = (): Envelope => ({
  type: 'client.get.result',
  payload: { found: true, siblings: [{ value: v('x'), writtenAt: 1 }], context: Uint8Array.of(7) },
});

describe('DynamisClient retry policy', () => {
  it('retries a get on the next node after a transient failure, then keeps preferring the node that answered', async () => {
    const cluster = new FakeCluster().on(A, fail('TIMEOUT')).on(B, found);
    const client = await connect(cluster);
    await expect(client.get('k')).resolves.toMatchObject({ found: true, values: [v('x')], context: Uint8Array.of(7) });
    expect(cluster.sent.map((s) => s.node)).toEqual([A, B]);
    await client.get('k');
    expect(cluster.sent.map((s) => s.node)).toEqual([A, B, B]);
    await client.close();
  });

  it('retries a delete on UNAVAILABLE and QUORUM_NOT_REACHED', async () => {
    const cluster = new FakeCluster()
      .on(A, fail('UNAVAILABLE'))
      .on(B, fail('QUORUM_NOT_REACHED'))
      .on(C, () => writeReply('client.delete.result'));
    const client = await connect(cluster);
    await expect(client.delete('k')).resolves.toEqual({ context: Uint8Array.of(1), acks: 1 });
    expect(cluster.sent.map((s) => s.node)).toEqual([A, B, C]);
  });

  it('never resends a put that reached a node: the error keeps its code and says it may have been applied', async () => {
    for (const code of ['UNAVAILABLE', 'TIMEOUT', 'QUORUM_NOT_REACHED'] as const) {
      const cluster = new FakeCluster().on(A, fail(code)).on(B, () => writeReply('client.put.result'));
      const client = await connect(cluster);
      await expect(client.put('k', v('1'))).rejects.toMatchObject({ code, details: { node: A, maybeApplied: true } });
      expect(cluster.sent).toHaveLength(1);
    }
  });

  it('never resends a conditional write that reached a node, nor a batch', async () => {
    const cluster = new FakeCluster().on(A, fail('TIMEOUT')).on(B, fail('TIMEOUT')).on(C, fail('TIMEOUT'));
    const client = await connect(cluster);
    await expect(client.putIfAbsent('k', v('1'))).rejects.toMatchObject({ code: 'TIMEOUT', details: { maybeApplied: true } });
    await expect(client.putIfVersion('k', v('1'), Uint8Array.of(1) as CausalContext)).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(client.batch([{ type: 'put', key: 'k', value: v('1') }])).rejects.toMatchObject({ code: 'TIMEOUT' });
    // One request each; the node that timed out passed the preference on.
    expect(cluster.sent.map((s) => s.node)).toEqual([A, B, C]);
    expect(cluster.sent[0]!.payload).toMatchObject({ key: 'k', options: { ifAbsent: true } });
  });

  it('passes CONFLICT and validation errors from a node through, never retrying', async () => {
    const cluster = new FakeCluster().on(A, fail('CONFLICT', { key: 'k' })).on(B, found);
    const client = await connect(cluster);
    await expect(client.putIfAbsent('k', v('1'))).rejects.toMatchObject({ code: 'CONFLICT', details: { key: 'k' } });
    expect(cluster.sent).toHaveLength(1);
  });

  it('resends a put when no node can have applied it: connection refused, or a node refusing it while shutting down', async () => {
    const cluster = new FakeCluster()
      .on(B, fail('UNAVAILABLE', { shuttingDown: true, applied: false }))
      .on(C, () => writeReply('client.put.result'));
    const client = await connect(cluster, { nodes: [B, A, C] });
    cluster.down.add(A);
    await expect(client.put('k', v('1'))).resolves.toMatchObject({ acks: 1 });
    expect(cluster.sent.map((s) => s.node)).toEqual([B, C]);
    expect(cluster.connects).toEqual([B, A, C]);
  });

  it('fails UNAVAILABLE naming every node once all attempts failed, with capped, growing backoff', async () => {
    const cluster = new FakeCluster().on(A, fail('UNAVAILABLE')).on(B, fail('TIMEOUT')).on(C, fail('UNAVAILABLE'));
    const pending = connect(cluster, { retries: 4 });
    const client = await pending;
    const err = (await client.get('k').catch((e: unknown) => e)) as DynamisError;
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain(A);
    expect(err.message).toContain(B);
    expect(err.message).toContain(C);
    expect(err.details.nodes).toEqual([A, B, C]);
    expect(err.details.attempts).toHaveLength(5);
    expect(err.details.applied).toBeUndefined();
    expect(pending.clock!.sleeps).toEqual([100, 200, 300, 300]);
  });

  it("keeps each node's own error details in its attempt, and none for an error without them", async () => {
    const missing = [{ node: 'n2', reason: 'TIMEOUT: timed out' }];
    const cluster = new FakeCluster().on(A, fail('QUORUM_NOT_REACHED', { required: 2, missing })).on(B, fail('UNAVAILABLE'));
    const client = await connect(cluster, { nodes: [A, B], retries: 1 });
    const err = (await client.get('k').catch((e: unknown) => e)) as DynamisError;
    const attempts = err.details.attempts as { node: string; details?: unknown }[];
    expect(attempts.map((a) => a.node)).toEqual([A, B]);
    expect(attempts[0]!.details).toEqual({ required: 2, missing });
    expect('details' in attempts[1]!).toBe(false);
  });

  it('marks an exhausted write as not applied when every attempt proves it', async () => {
    const cluster = new FakeCluster().on(A, () => writeReply('client.put.result'));
    const client = await connect(cluster, { retries: 3 });
    for (const n of [A, B, C]) cluster.kill(n);
    await expect(client.put('k', v('1'))).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { nodes: [A, B, C], applied: false } });
    expect(cluster.sent).toEqual([]);
  });

  it('connect: UNAVAILABLE naming every node when none answers, UNAUTHORIZED at once when the token is refused', async () => {
    const down = new FakeCluster();
    for (const n of [A, B]) down.down.add(n);
    await expect(connect(down, { nodes: [A, B] })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { nodes: [A, B], applied: false },
    });
    const refusing = new FakeCluster();
    refusing.down.add(A);
    refusing.refuseToken.add(B);
    await expect(connect(refusing)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(refusing.connects).toEqual([A, B]);
  });

  it('rejects a malformed reply with PROTOCOL_ERROR', async () => {
    const client = await connect(new FakeCluster().on(A, () => ({ type: 'client.get.result', payload: { found: 'yes' } })));
    await expect(client.get('k')).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', details: { node: A } });
  });

  it('sends no options field when no option is set, and only the options that are set otherwise', async () => {
    const reply = (m: Envelope): Envelope =>
      m.type === 'client.get'
        ? found()
        : m.type === 'client.batch'
          ? { type: 'client.batch.result', payload: { results: [writeReply('x').payload] } }
          : writeReply(`${m.type}.result`);
    const cluster = new FakeCluster().on(A, reply);
    const client = await connect(cluster);
    await client.put('k', v('1'));
    await client.put('k', v('1'), { ttlMs: undefined, consistency: undefined });
    await client.get('k');
    await client.delete('k', {});
    await client.batch([{ type: 'del', key: 'k' }]);
    await client.put('k', v('1'), { ttlMs: 5, consistency: undefined });
    await client.get('k', { timeoutMs: 50 });
    expect(cluster.sent.map((s) => s.payload)).toEqual([
      { key: 'k', value: v('1') },
      { key: 'k', value: v('1') },
      { key: 'k' },
      { key: 'k' },
      { ops: [{ type: 'del', key: 'k' }] },
      { key: 'k', value: v('1'), options: { ttlMs: 5 } },
      { key: 'k', options: { timeoutMs: 50 } },
    ]);
    // Every request went over the one link opened by connect.
    expect(cluster.connects).toEqual([A]);
  });

  it('fails NOT_OPEN after close', async () => {
    const client = await connect(new FakeCluster().on(A, found));
    await client.close();
    await expect(client.get('k')).rejects.toMatchObject({ code: 'NOT_OPEN' });
  });
});

describe('retry policy (pure)', () => {
  const err = (code: 'UNAVAILABLE' | 'TIMEOUT' | 'INVALID_KEY', details = {}): DynamisError => new DynamisError(code, 'x', { details });

  it('retries idempotent operations on transient errors and writes only when provably not applied', () => {
    expect(shouldRetry('idempotent', err('TIMEOUT'))).toBe(true);
    expect(shouldRetry('idempotent', err('INVALID_KEY'))).toBe(false);
    expect(shouldRetry('write', err('TIMEOUT'))).toBe(false);
    expect(shouldRetry('write', err('UNAVAILABLE'))).toBe(false);
    expect(shouldRetry('write', err('UNAVAILABLE', { sent: false }))).toBe(true);
    expect(shouldRetry('write', err('UNAVAILABLE', { applied: false }))).toBe(true);
    expect(shouldRetry('write', new Error('bug'))).toBe(false);
  });

  it('doubles the backoff up to the cap, jittered to 50–100%', () => {
    const b = { initialMs: 10, maxMs: 50 };
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, b, fixedRandom(0.999999)))).toEqual([10, 20, 40, 50, 50]);
    expect(backoffMs(3, b, fixedRandom(0))).toBe(20);
  });
});
