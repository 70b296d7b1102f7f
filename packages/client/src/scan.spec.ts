import { describe, expect, it } from '@jest/globals';
import { DynamisError, type Envelope } from '@dynamis/core';
import { FakeCluster, fixedRandom, RecordingClock } from '../test/doubles';
import { DynamisClient } from './DynamisClient';

const A = 'ws://a:1';
const B = 'ws://b:1';
const v = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A node serving a scan of keys k0..k{total-1}, `limit` per page, the cursor being the last key's index. */
function scanScript(total: number) {
  return (msg: Envelope): Envelope => {
    const p = msg.payload as { cursor?: string; limit?: number };
    const from = p.cursor === undefined ? 0 : Number(p.cursor) + 1;
    const to = Math.min(total, from + (p.limit ?? 100));
    const items = [];
    for (let i = from; i < to; i++)
      items.push({ key: `k${i}`, siblings: [{ value: v(`v${i}`), writtenAt: 1 }], context: Uint8Array.of(i) });
    return { type: 'client.scan.result', payload: { items, cursor: to >= total ? null : String(to - 1) } };
  };
}

function connect(cluster: FakeCluster): Promise<DynamisClient> {
  return DynamisClient.connect(
    { nodes: [A, B], token: 'a-client-token-0123456789', backoff: { initialMs: 100, maxMs: 300 } },
    { connector: cluster.connector, clock: new RecordingClock(), random: fixedRandom(0.5) },
  );
}

describe('DynamisClient scan', () => {
  it('scanAll fetches the next page only when the loop asks for it, passing the cursor back', async () => {
    const cluster = new FakeCluster().on(A, scanScript(5));
    const client = await connect(cluster);
    const keys: string[] = [];
    for await (const page of client.scanAll({ limit: 2, prefix: 'k' })) keys.push(...page.items.map((i) => i.key));
    expect(keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(cluster.sent.map((s) => s.payload)).toEqual([
      { limit: 2, prefix: 'k' },
      { limit: 2, prefix: 'k', cursor: '1' },
      { limit: 2, prefix: 'k', cursor: '3' },
    ]);
    for await (const page of client.scanAll({ limit: 2 })) {
      expect(page.items).toHaveLength(2);
      break;
    }
    expect(cluster.sent).toHaveLength(4);
    await client.close();
  });

  it('checks options locally (nothing sent) and retries a scan on the next node after a transient failure', async () => {
    const cluster = new FakeCluster()
      .on(A, () => {
        throw new DynamisError('TIMEOUT', 'slow');
      })
      .on(B, scanScript(1));
    const client = await connect(cluster);
    await expect(client.scan({ consistency: 'quorum' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.scan({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(cluster.sent).toEqual([]);
    await expect(client.scan({})).resolves.toMatchObject({ items: [{ key: 'k0' }], cursor: null });
    expect(cluster.sent.map((s) => s.node)).toEqual([A, B]);
    await client.close();
  });
});
