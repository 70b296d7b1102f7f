import { afterEach, describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { createNode, PartitionerToken } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { ringPartitioner } from '@dynamis/ring';
import { runSimulation, Simulation, simulatedEnvironment, FixedMembership, fixedMembership } from '@dynamis/testkit';
import { quorumCoordinator } from '../src';
import { bytes, simCluster, text, type SimCluster } from './simCluster';

let cluster: SimCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('quorum coordinator: basics over a simulated 3-node cluster', () => {
  it('put, get and delete from any node; acks count the primaries that stored it; TTL travels with the record', async () => {
    await runSimulation(7, async (sim) => {
      const c = (cluster = await simCluster(sim));
      const put = await c.run(c.coordinator('n1').put('k', bytes('v1'), { ttlMs: 60_000 }));
      expect(put.acks).toBeGreaterThanOrEqual(2);
      await sim.runFor(100);
      for (const id of c.ids) {
        const stored = await c.stored(id, 'k');
        expect(stored.map(text)).toEqual(['v1']);
        expect(stored[0]!.expiresAt).toBe(stored[0]!.writtenAt + 60_000);
      }
      const read = await c.run(c.coordinator('n3').get('k', {}));
      expect(read.found).toBe(true);
      expect(read.siblings.map(text)).toEqual(['v1']);
      await c.run(c.coordinator('n2').delete('k', { context: read.context }));
      await sim.runFor(100);
      expect((await c.run(c.coordinator('n1').get('k', { consistency: 'all' }))).found).toBe(false);
      // the delete is a versioned tombstone on every replica
      for (const id of c.ids) expect((await c.stored(id, 'k')).map(text)).toEqual([null]);
      // expiry: after the TTL the value is not live anywhere
      await c.run(c.coordinator('n1').put('t', bytes('short'), { ttlMs: 1000 }));
      await sim.runFor(2000);
      expect((await c.run(c.coordinator('n2').get('t', {}))).found).toBe(false);
    });
  });

  it('a consistency level above N is INVALID_ARGUMENT, on reads and writes', async () => {
    await runSimulation(8, async (sim) => {
      const c = (cluster = await simCluster(sim));
      await expect(c.run(c.coordinator('n1').put('k', bytes('v'), { consistency: 4 }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(c.run(c.coordinator('n1').get('k', { consistency: 4 }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(c.run(c.coordinator('n1').get('k', { consistency: 3 }))).resolves.toMatchObject({ found: false });
    });
  });

  it('fewer than W primaries answering is QUORUM_NOT_REACHED naming who answered and who did not', async () => {
    await runSimulation(9, async (sim) => {
      const c = (cluster = await simCluster(sim));
      sim.network.isolate('n2');
      c.view('n1').setAlive('n3', false);
      const err = await c.run(c.coordinator('n1').put('k', bytes('v'), { consistency: 2, timeoutMs: 1000 })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'QUORUM_NOT_REACHED', details: { required: 2, answered: ['n1'] } });
      const missing = (err as { details: { missing: { node: string; reason: string }[] } }).details.missing;
      expect(missing.map((m) => m.node).sort()).toEqual(['n2', 'n3']);
      expect(missing.find((m) => m.node === 'n3')!.reason).toMatch(/down/);
      expect(missing.find((m) => m.node === 'n2')!.reason).toMatch(/TIMEOUT|UNAVAILABLE/);
      // fewer live primaries than W: refused before anything is sent, so nothing is written
      const early = await c.run(c.coordinator('n1').put('early', bytes('v'), { consistency: 'all' })).catch((e: unknown) => e);
      expect(early).toMatchObject({ code: 'QUORUM_NOT_REACHED', details: { required: 3, answered: [] } });
      await sim.runFor(1000);
      for (const id of c.ids) expect(await c.stored(id, 'early')).toEqual([]);
      // W=1 still succeeds with the one live primary
      await expect(c.run(c.coordinator('n1').put('k', bytes('v'), { consistency: 'one', timeoutMs: 1000 }))).resolves.toMatchObject({
        acks: 1,
      });
    });
  });

  it('a node outside the preference list forwards once to a primary, and stores nothing itself', async () => {
    await runSimulation({ seed: 10, nodes: ['n1', 'n2', 'n3', 'n4'] }, async (sim) => {
      const c = (cluster = await simCluster(sim));
      const placement = c.node('n4').resolve(PartitionerToken).placement();
      const key = Array.from({ length: 200 }, (_, i) => `key-${i}`).find((k) => !placement.preferenceList(k, 3).includes('n4'))!;
      const primaries = placement.preferenceList(key, 3);
      const put = await c.run(c.coordinator('n4').put(key, bytes('fwd'), { consistency: 'all' }));
      expect(put.acks).toBe(3);
      expect(c.coordinator('n4').stats().forwarded).toBe(1);
      expect(await c.stored('n4', key)).toEqual([]);
      for (const id of primaries) expect((await c.stored(id, key)).map(text)).toEqual(['fwd']);
      const read = await c.run(c.coordinator('n4').get(key, {}));
      expect(read.siblings.map(text)).toEqual(['fwd']);
      expect(c.coordinator('n4').stats().forwarded).toBe(2);
      // conditions travel with the forwarded write and are checked at the coordinator
      await expect(c.run(c.coordinator('n4').put(key, bytes('x'), { ifAbsent: true }))).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(c.run(c.coordinator('n4').put(key, bytes('y'), { ifVersion: read.context }))).resolves.toMatchObject({ acks: 2 });
      // exactly one hop each, to the first primary; with it believed down, to the next one
      const forwards = (to: string) => sim.trace.filter((t) => t.ev === 'send' && t.type === 'quorum.forward' && t.to === to).length;
      expect(forwards(primaries[0]!)).toBe(4);
      expect(sim.trace.filter((t) => t.ev === 'send' && t.type === 'quorum.forward' && t.from !== 'n4')).toEqual([]);
      c.view('n4').setAlive(primaries[0]!, false);
      await c.run(c.coordinator('n4').get(key, {}));
      expect(forwards(primaries[1]!)).toBe(1);
    });
  });

  it('conditional writes are checked against the reconciled quorum read, not only the local copy', async () => {
    await runSimulation(11, async (sim) => {
      const c = (cluster = await simCluster(sim));
      sim.network.isolate('n1');
      await c.run(c.coordinator('n2').put('k', bytes('v1'), { consistency: 2 }));
      sim.network.heal();
      // n1 holds nothing locally, but a quorum read finds v1
      expect(await c.stored('n1', 'k')).toEqual([]);
      await expect(c.run(c.coordinator('n1').put('k', bytes('v2'), { ifAbsent: true }))).rejects.toMatchObject({
        code: 'CONFLICT',
        details: { condition: 'ifAbsent' },
      });
      const read = await c.run(c.coordinator('n3').get('k', {}));
      await c.run(c.coordinator('n2').put('k', bytes('v3'), {}));
      await expect(c.run(c.coordinator('n1').put('k', bytes('v4'), { ifVersion: read.context }))).rejects.toMatchObject({
        code: 'CONFLICT',
        details: { condition: 'ifVersion' },
      });
    });
  });

  it('batch applies per key; a failed key rejects with every key outcome while the others stay written', async () => {
    await runSimulation(12, async (sim) => {
      const c = (cluster = await simCluster(sim));
      const results = await c.run(
        c.coordinator('n1').batch(
          [
            { type: 'put', key: 'a', value: bytes('A') },
            { type: 'put', key: 'b', value: bytes('B') },
            { type: 'del', key: 'c' },
          ],
          {},
        ),
      );
      expect(results).toHaveLength(3);
      expect((await c.run(c.coordinator('n2').get('b', {}))).siblings.map(text)).toEqual(['B']);
      const bad = c.coordinator('n1').batch([{ type: 'put', key: 'd', value: bytes('D') }], { consistency: 4 });
      await expect(c.run(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { outcomes: [{ key: 'd', ok: false }] } });
    });
  });
});

describe('quorum coordinator: membership', () => {
  it('places keys over the members at start and again on membership events', async () => {
    await runSimulation({ seed: 13, nodes: ['n1', 'n2', 'n3', 'n4'] }, async (sim) => {
      const c = (cluster = await simCluster(sim, { ids: ['n1', 'n2', 'n3'] }));
      const partitioner = c.node('n1').resolve(PartitionerToken);
      expect(partitioner.placement().nodes).toEqual(['n1', 'n2', 'n3']);
      c.view('n1').add({ id: 'n4', address: 'n4', status: 'up' });
      expect(partitioner.placement().nodes).toEqual(['n1', 'n2', 'n3', 'n4']);
    });
  });
});

describe('quorum coordinator: composition and config', () => {
  const base = (sim: Simulation) => [
    simulatedEnvironment(sim, 'n1'),
    memoryEngine(),
    lwwResolver(),
    ringPartitioner(),
    quorumCoordinator(),
  ];

  it('refuses sloppyQuorum: true without hinted handoff (the default is false), and W above N, with INVALID_CONFIG', async () => {
    const sim = new Simulation({ seed: 1, nodes: ['n1'] });
    const plugins = [...base(sim), fixedMembership(new FixedMembership('n1', [{ id: 'n1', address: 'n1', status: 'up' }]))];
    const start = async (replication: object) => {
      const node = await createNode({ nodeId: 'n1', log: { level: 'silent' }, replication }, plugins);
      try {
        await node.start();
      } finally {
        await node.stop().catch(() => undefined);
      }
    };
    // The kernel wraps a failure at start in PLUGIN_FAILED naming the plugin; the cause is INVALID_CONFIG naming the key.
    const sloppy = await start({ n: 1, sloppyQuorum: true }).catch((e: unknown) => e);
    expect(sloppy).toMatchObject({ code: 'PLUGIN_FAILED', details: { plugin: '@dynamis/quorum' } });
    expect((sloppy as Error).cause).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { problems: [{ path: 'replication.sloppyQuorum', message: expect.stringMatching(/hinted-handoff/) }] },
    });
    const wAboveN = await start({ n: 1, sloppyQuorum: false, w: 2 }).catch((e: unknown) => e);
    expect((wAboveN as Error).cause).toMatchObject({ code: 'INVALID_CONFIG', details: { problems: [{ path: 'replication.w' }] } });
    await expect(start({ n: 1, sloppyQuorum: false })).resolves.toBeUndefined();
    await expect(start({ n: 1 })).resolves.toBeUndefined();
  });

  it('without a Membership the node cannot place keys: MISSING_PROVIDER', async () => {
    const sim = new Simulation({ seed: 1, nodes: ['n1'] });
    await expect(createNode({ nodeId: 'n1', replication: { n: 1, sloppyQuorum: false } }, base(sim))).rejects.toMatchObject({
      code: 'MISSING_PROVIDER',
    });
  });
});
