import { describe, expect, it } from '@jest/globals';
import { PeerRpcToken, type StoreBatchOp } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { pullReplySchema, REBALANCE_MESSAGE, REBALANCE_REPLY, viewSchema } from '../src/protocol';
import { rebalanceCluster } from './simCluster';

/** The rebalance protocol as a peer sees it: refusals, page bounds, announce replies. */
describe('rebalance protocol', () => {
  it('pages are bounded, cover the partition once, and a node that does not hold a partition refuses it', async () => {
    await runSimulation({ seed: 1700, nodes: ['n1', 'n2', 'n3', 'n4'] }, async (sim) => {
      const c = await rebalanceCluster(sim, { partitions: 8, rebalance: { announceIntervalMs: 100, drainMs: 100 } });
      await sim.runUntil(() => c.quiet(['n1', 'n2', 'n3', 'n4']), 60_000);
      const ops: StoreBatchOp[] = Array.from({ length: 200 }, (_, i) => ({ type: 'put', key: `k${i}`, value: Buffer.alloc(100, 1) }));
      await sim.settle(c.coordinator('n1').batch(ops, {}));
      const rpc = c.node('n1').resolve(PeerRpcToken);
      const placement = c.placement('n1');
      const p = placement.partitionOf('k0');
      const holder = placement.preferenceList(p, 3)[0]!;
      const outsider = ['n1', 'n2', 'n3', 'n4'].find((id) => !placement.preferenceList(p, 3).includes(id))!;
      const call = (to: string, payload: Record<string, unknown>) =>
        sim.settle(
          rpc.call(
            to,
            REBALANCE_MESSAGE.pull,
            { partitionCount: 8, partition: p, maxKeys: 4096, maxBytes: 1024, ...payload },
            {
              replySchema: pullReplySchema(4096),
              replyType: REBALANCE_REPLY.pull,
            },
          ),
        );

      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await call(holder, after === undefined ? {} : { after });
        const bytes = page.entries.reduce(
          (n, e) => n + e.key.length + e.siblings.reduce((m, s) => m + s.version.length + (s.value?.length ?? 0), 0),
          0,
        );
        expect(bytes).toBeLessThan(1024 + 200); // maxBytes plus at most one record
        seen.push(...page.entries.map((e) => e.key));
        if (page.next === undefined) break;
        after = page.next;
      }
      const expected = ops.map((o) => o.key).filter((k) => placement.partitionOf(k) === p);
      expect(seen.sort()).toEqual(expected.sort());

      await expect(call(outsider, {})).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { notHolder: true } });
      await expect(call(holder, { partitionCount: 16 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      const view = await sim.settle(
        rpc.call(
          holder,
          REBALANCE_MESSAGE.announce,
          { hash: 'x', partitionCount: 8, holds: new Uint8Array(1), settled: false },
          { replySchema: viewSchema, replyType: REBALANCE_REPLY.announce },
        ),
      );
      expect(view).toMatchObject({ hash: placement.hash, partitionCount: 8, settled: true });
      await expect(
        sim.settle(
          rpc.call(
            holder,
            REBALANCE_MESSAGE.announce,
            { hash: 'x', partitionCount: 16, holds: new Uint8Array(2), settled: false },
            { replySchema: viewSchema, replyType: REBALANCE_REPLY.announce },
          ),
        ),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await c.stop();
    });
  }, 300_000);
});
