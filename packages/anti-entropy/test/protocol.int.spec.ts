import { describe, expect, it } from '@jest/globals';
import { isDynamisError, MessageRouterToken, PeerRpcToken, type ErrorCode, type Sibling } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { z } from 'zod';
import { AE_MESSAGE, AE_REPLY } from '../src';
import { keyPosition } from '../src/merkle/digest';
import { seeds, simCluster, type SimCluster } from './simCluster';

const options = { scheduler: false, maxNodesPerRequest: 16, maxKeysPerRequest: 2 };
const head = { partitionCount: 16, levels: 2, partition: 0 };
const any = z.unknown();

async function outcome(c: SimCluster, type: string, payload: unknown): Promise<unknown> {
  const rpc = c.node('n1').resolve(PeerRpcToken);
  return c.run(rpc.call('n2', type, payload, { replySchema: any })).catch((err: unknown) => err);
}
async function expectCode(c: SimCluster, type: string, payload: unknown, code: ErrorCode): Promise<void> {
  const err = await outcome(c, type, payload);
  expect({ payload, code: isDynamisError(err) ? err.code : err }).toEqual({ payload, code });
}

/** `count` keys of partition 0 in one leaf (first one found with that many), and keys in `spread` distinct leaves. */
function keysOfOneLeaf(count: number): string[] {
  const byLeaf = new Map<number, string[]>();
  for (let i = 0; ; i++) {
    const key = `key-${i}`;
    const pos = keyPosition(key, 4, 2);
    if (pos.partition !== 0) continue;
    const list = byLeaf.get(pos.leaf) ?? [];
    list.push(key);
    byLeaf.set(pos.leaf, list);
    if (list.length === count) return list.sort();
  }
}

describe('the anti-entropy protocol', () => {
  for (const seed of seeds(1, 1400)) {
    it(`seed ${seed}: requests out of bounds are refused with typed errors`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2'] }, async (sim) => {
        const c = await simCluster(sim, { n: 2, antiEntropy: options });
        const nodes = (extra: object) => ({ ...head, level: 1, indices: [0], ...extra });
        await expectCode(c, AE_MESSAGE.nodes, nodes({ partitionCount: 8 }), 'INVALID_ARGUMENT');
        await expectCode(c, AE_MESSAGE.nodes, nodes({ levels: 3 }), 'INVALID_ARGUMENT');
        await expectCode(c, AE_MESSAGE.nodes, nodes({ level: 3 }), 'INVALID_ARGUMENT');
        await expectCode(c, AE_MESSAGE.nodes, nodes({ partition: 16 }), 'INVALID_ARGUMENT');
        await expectCode(c, AE_MESSAGE.nodes, nodes({ level: 2, indices: [256] }), 'INVALID_ARGUMENT');
        await expectCode(c, AE_MESSAGE.nodes, nodes({ level: 2, indices: Array.from({ length: 17 }, (_, i) => i) }), 'INVALID_ARGUMENT');
        await expectCode(c, AE_MESSAGE.nodes, nodes({ indices: [] }), 'PROTOCOL_ERROR');
        await expectCode(c, AE_MESSAGE.nodes, nodes({ extra: 1 }), 'PROTOCOL_ERROR');
        await expectCode(c, AE_MESSAGE.nodes, nodes({ indices: Array.from({ length: 5000 }, () => 0) }), 'PROTOCOL_ERROR');
        await expectCode(c, AE_MESSAGE.leaf, { ...head, leaf: 256, limit: 1 }, 'INVALID_ARGUMENT');
        await expectCode(c, AE_MESSAGE.leaf, { ...head, leaf: 0, limit: 0 }, 'PROTOCOL_ERROR');
        const ok = await outcome(c, AE_MESSAGE.nodes, nodes({ level: 2, indices: [0, 255] }));
        expect((ok as { hashes: Uint8Array }).hashes.length).toBe(32);
        await c.stop();
      });
    });

    it(`seed ${seed}: leaves are listed in pages of maxKeysPerRequest, and an exchange repairs across pages and node chunks`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2'] }, async (sim) => {
        const c = await simCluster(sim, { n: 2, antiEntropy: options });
        const resolver = c.resolver('n1');
        const now = sim.clock('n1').now();
        const sibling = (v: string): Sibling[] => [
          { version: resolver.stamp('n1', undefined, [], now), value: Buffer.from(v), writtenAt: now },
        ];
        const leafKeys = keysOfOneLeaf(9);
        const leaf = keyPosition(leafKeys[0]!, 4, 2).leaf;
        // Alternate: even keys on n1 only, keys ≡ 1 mod 3 on n2 only, the rest on both.
        for (const [i, key] of leafKeys.entries()) {
          const s = sibling(key);
          if (i % 2 === 0) await c.replica('n1').apply(key, s);
          else if (i % 3 === 1) await c.replica('n2').apply(key, s);
          else for (const id of ['n1', 'n2']) await c.replica(id).apply(key, s);
        }
        const page = (await outcome(c, AE_MESSAGE.leaf, { ...head, leaf, limit: 100 })) as { entries: { key: string }[]; more: boolean };
        expect(page.entries.length).toBe(2); // n2's own maxKeysPerRequest caps the page
        expect(page.more).toBe(true);
        // 40 more keys spread over many leaves of partition 0 on n1 only: level 2 needs several 16-node requests.
        const spread = Array.from({ length: 400 }, (_, i) => `spread-${i}`)
          .filter((k) => keyPosition(k, 4, 2).partition === 0)
          .slice(0, 20);
        for (const key of spread) await c.replica('n1').apply(key, sibling(key));
        expect(c.ae('n1').syncedAt(0, 'n2')).toBeUndefined();
        const started = sim.clock('n1').now();
        const stats = await c.run(c.ae('n1').exchange('n2', 0));
        expect(stats.nodesCompared).toBeGreaterThan(17);
        // Repaired, then one last root comparison found them equal: synced at that comparison.
        expect(c.ae('n1').syncedAt(0, 'n2')).toBeGreaterThan(started);
        expect(c.ae('n1').syncedAt(1, 'n2')).toBeUndefined();
        for (const key of [...leafKeys, ...spread]) {
          const [a, b] = await Promise.all([c.replica('n1').read(key), c.replica('n2').read(key)]);
          expect({ key, n2: b.length }).toEqual({ key, n2: 1 });
          expect(Buffer.from(b[0]!.version)).toEqual(Buffer.from(a[0]!.version));
        }
        expect(Buffer.from(c.ae('n1').root(0))).toEqual(Buffer.from(c.ae('n2').root(0)));
        await c.stop();
      });
    });

    it(`seed ${seed}: exchange traffic is held to maxBytesPerSecond`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2'] }, async (sim) => {
        const c = await simCluster(sim, { n: 2, antiEntropy: { scheduler: false, maxBytesPerSecond: 2048 } });
        const resolver = c.resolver('n1');
        const now = sim.clock('n1').now();
        const keys = Array.from({ length: 200 }, (_, i) => `big-${i}`).filter((k) => keyPosition(k, 4, 2).partition === 0);
        for (const key of keys) {
          const s = [{ version: resolver.stamp('n1', undefined, [], now), value: Buffer.alloc(1000, 1), writtenAt: now }];
          await c.replica('n1').apply(key, s);
        }
        const started = sim.now();
        const stats = await c.run(c.ae('n1').exchange('n2', 0));
        expect(stats.keysSent).toBe(keys.length);
        expect(stats.bytesTransferred).toBeGreaterThan(keys.length * 1000);
        // One second of burst, then 2048 bytes a second (virtual time).
        expect(sim.now() - started).toBeGreaterThanOrEqual(((stats.bytesTransferred - 2048) / 2048) * 1000 - 1);
        await c.stop();
      });
    });

    it(`seed ${seed}: large records are pushed in writeBatches of about 4 MiB`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2'] }, async (sim) => {
        const c = await simCluster(sim, { n: 2, antiEntropy: { scheduler: false } });
        const resolver = c.resolver('n1');
        const now = sim.clock('n1').now();
        const keys = keysOfOneLeaf(6); // one leaf: one pushKeys call
        for (const key of keys) {
          const s = [{ version: resolver.stamp('n1', undefined, [], now), value: Buffer.alloc(1000 * 1000, 2), writtenAt: now }];
          await c.replica('n1').apply(key, s);
        }
        const stats = await c.run(c.ae('n1').exchange('n2', 0));
        expect(stats.keysSent).toBe(6);
        expect(c.requests('n1', 'n2', 'replica.writeBatch')).toBe(2); // 4 MB + 2 MB, not one 6 MB message
        expect(Buffer.from(c.ae('n1').root(0))).toEqual(Buffer.from(c.ae('n2').root(0)));
        await c.stop();
      });
    });

    it(`seed ${seed}: a peer breaking the protocol fails the exchange with PROTOCOL_ERROR`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2'] }, async (sim) => {
        const c = await simCluster(sim, { n: 2, antiEntropy: options });
        const resolver = c.resolver('n1');
        const now = sim.clock('n1').now();
        const [key] = keysOfOneLeaf(1);
        await c.replica('n1').apply(key!, [{ version: resolver.stamp('n1', undefined, [], now), value: Buffer.from('x'), writtenAt: now }]);
        await c.run(c.ae('n2').stop());
        const router = c.node('n2').resolve(MessageRouterToken);
        let mode: 'short' | 'foreign' | 'unsorted' = 'short';
        router.register(AE_MESSAGE.nodes, z.object({ indices: z.array(z.number()) }).loose(), async (_from, m) => ({
          type: AE_REPLY.nodes,
          payload: { hashes: new Uint8Array(mode === 'short' ? 16 * m.indices.length - 1 : 16 * m.indices.length).fill(7) },
        }));
        router.register(AE_MESSAGE.leaf, z.object({ leaf: z.number() }).loose(), async () => ({
          type: AE_REPLY.leaf,
          payload: {
            entries: (mode === 'foreign' ? ['not-in-this-leaf'] : [key!, key!]).map((k) => ({ key: k, digest: new Uint8Array(16) })),
            more: false,
          },
        }));
        for (mode of ['short', 'foreign', 'unsorted'] as const) {
          const err = await c.run(c.ae('n1').exchange('n2', 0)).catch((e: unknown) => e);
          expect({ mode, code: isDynamisError(err) ? err.code : String(err) }).toEqual({ mode, code: 'PROTOCOL_ERROR' });
        }
        expect(c.ae('n1').syncedAt(0, 'n2')).toBeUndefined();
        expect(c.ae('n1').stats().failedExchanges).toBe(3);
        await c.stop();
      });
    });
  }
});
