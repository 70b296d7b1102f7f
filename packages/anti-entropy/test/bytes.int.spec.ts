import { describe, expect, it } from '@jest/globals';
import { REPLICA_MESSAGE, REPLICA_REPLY, toWireSibling, type ReplicaEntry, type Sibling } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { envelopeBytes, seeds, simCluster } from './simCluster';

/*
 * Issue 11, "Must show": repairing 10 differing keys out of 100,000 sends
 * less than 2% of the bytes of a full copy. Two replicas (N=2, 16 partitions)
 * hold the same 100,000 records, then 10 keys are made to differ (updated on
 * one side, deleted on the other, new on one side); n1 exchanges every
 * partition with n2. Bytes are measured twice: RepairStats.bytesTransferred
 * (the package's own count) and the node:v8-serialized size of every request
 * n1 sent and every reply it got (an independent measure); the full copy is
 * the v8 size of the replica.writeBatch requests and replies that would ship
 * every record of n1, in batches of 1000.
 *
 * DYNAMIS_AE_DIVERGENCE=<counts> (comma-separated, opt-in) then prints the
 * same figures for more differing keys (the BENCHMARKS.md line).
 */

const KEYS = 100_000;
const BATCH = 1000;

describe('simulation: anti-entropy bytes vs a full copy', () => {
  for (const seed of seeds(1, 1200)) {
    it(`seed ${seed}: 10 differing keys out of 100,000 cost < 2% of a full copy`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2'] }, async (sim) => {
        const c = await simCluster(sim, { n: 2, partitions: 16, antiEntropy: { scheduler: false } });
        const resolver = c.resolver('n1');
        const now = sim.clock('n1').now();
        const stamp = (value: Uint8Array | null, at: number, past: Sibling[] = []): Sibling => ({
          version: resolver.stamp('n1', past.length === 0 ? undefined : resolver.context(past), past, now + at),
          value,
          writtenAt: now + at,
        });
        const records = new Map<string, Sibling[]>();
        for (let i = 0; i < KEYS; i += BATCH) {
          const entries: ReplicaEntry[] = [];
          for (let k = i; k < i + BATCH; k++) {
            const siblings = [stamp(Buffer.from(`value-${k}-`.padEnd(64, 'x')), 0)];
            records.set(`key-${k}`, siblings);
            entries.push({ key: `key-${k}`, siblings });
          }
          await c.replica('n1').applyMany(entries);
          await c.replica('n2').applyMany(entries);
        }
        // 10 differing keys: 4 updated on n1, 3 deleted on n2, 3 new on n2.
        for (let k = 0; k < 4; k++) await c.replica('n1').apply(`key-${k * 7}`, [stamp(Buffer.from('updated'), 10)]);
        for (let k = 0; k < 3; k++) await c.replica('n2').apply(`key-${k * 11 + 1}`, [stamp(null, 10, records.get(`key-${k * 11 + 1}`))]);
        for (let k = 0; k < 3; k++) await c.replica('n2').apply(`new-${k}`, [stamp(Buffer.from('new'), 10)]);

        let full = 0;
        let batch: ReplicaEntry[] = [];
        const ship = (): void => {
          const entries = batch.map((e) => ({ key: e.key, siblings: e.siblings.map(toWireSibling) }));
          full += envelopeBytes({ type: REPLICA_MESSAGE.writeBatch, payload: { entries } });
          full += envelopeBytes({ type: REPLICA_REPLY.writeBatch, payload: { stored: entries.map(() => 1) } });
          batch = [];
        };
        for await (const [key, siblings] of c.replica('n1').scan()) {
          batch.push({ key, siblings });
          if (batch.length === BATCH) ship();
        }
        if (batch.length > 0) ship();

        /** Exchanges every partition from n1 with n2: bytes (measured, counted) and keys moved. */
        const exchangeAll = async () => {
          const before = c.bytesSentBy('n1');
          const r = { counted: 0, sent: 0, received: 0, measured: 0 };
          for (const { id } of c.placement('n1').partitions) {
            const stats = await c.run(c.ae('n1').exchange('n2', id));
            r.counted += stats.bytesTransferred;
            r.sent += stats.keysSent;
            r.received += stats.keysReceived;
          }
          r.measured = c.bytesSentBy('n1') - before;
          return r;
        };
        const report = (differing: number, r: { measured: number; counted: number; sent: number; received: number }): void =>
          console.log(
            `seed ${seed}: full copy ${full} B; anti-entropy for ${differing} differing keys of ${KEYS}: ` +
              `${r.measured} B on the wire (v8 size, ${((100 * r.measured) / full).toFixed(3)}%), ` +
              `${r.counted} B counted in RepairStats (${((100 * r.counted) / full).toFixed(3)}%); keys sent ${r.sent}, received ${r.received}`,
          );
        const { measured, counted, sent, received } = await exchangeAll();
        report(10, { measured, counted, sent, received });
        // n1 reads all 10 from n2 (their digests differ) and writes back only its 4 newer values.
        expect({ sent, received }).toEqual({ sent: 4, received: 10 });
        expect(measured).toBeLessThan(0.02 * full);
        expect(counted).toBeLessThan(0.02 * full);
        for (const { id } of c.placement('n1').partitions)
          expect(Buffer.from(c.ae('n1').root(id))).toEqual(Buffer.from(c.ae('n2').root(id)));
        // Opt-in (BENCHMARKS.md): DYNAMIS_AE_DIVERGENCE=100,1000,10000 prints the same figures for more differing keys.
        let next = 50_000;
        for (const differing of (process.env['DYNAMIS_AE_DIVERGENCE'] ?? '').split(',').filter(Boolean).map(Number)) {
          for (let k = 0; k < differing; k++) await c.replica('n1').apply(`key-${next++}`, [stamp(Buffer.from('changed'), 20)]);
          report(differing, await exchangeAll());
        }
        await c.stop();
      });
    }, 600_000);
  }
});
