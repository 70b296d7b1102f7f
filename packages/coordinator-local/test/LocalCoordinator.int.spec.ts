import { describe, expect, it } from '@jest/globals';
import { lwwResolver, encodeHlc } from '@dynamis/conflict-lww';
import { asCausalContext, createNode, ReplicaToken, type DynamisNode } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { Simulation, simulatedEnvironment } from '@dynamis/testkit';
import { localCoordinator } from '../src';

async function start(): Promise<{ node: DynamisNode; sim: Simulation }> {
  const sim = new Simulation({ seed: 3, nodes: ['n1'] });
  const node = await createNode({ nodeId: 'n1', log: { level: 'silent' } }, [
    simulatedEnvironment(sim, 'n1', { transport: false }),
    memoryEngine(),
    lwwResolver({ maxSkewMs: 1000 }),
    localCoordinator(),
  ]);
  await node.start();
  return { node, sim };
}

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString());

describe('LocalCoordinator', () => {
  it('refuses sloppyQuorum: true (no fallback nodes) on put, delete and batch, writing nothing', async () => {
    const { node } = await start();
    const refused = { code: 'INVALID_ARGUMENT', details: { option: 'sloppyQuorum' } };
    await expect(node.store.put('k', Buffer.from('v'), { sloppyQuorum: true })).rejects.toMatchObject(refused);
    await expect(node.store.delete('k', { sloppyQuorum: true })).rejects.toMatchObject(refused);
    await expect(node.store.batch([{ type: 'put', key: 'k', value: Buffer.from('v') }], { sloppyQuorum: true })).rejects.toMatchObject(
      refused,
    );
    expect(await node.resolve(ReplicaToken).read('k')).toEqual([]);
    await expect(node.store.put('k', Buffer.from('v'), { sloppyQuorum: false })).resolves.toMatchObject({ acks: 1 });
    await node.stop();
  });

  it('stamps writes on the node clock and returns a context that supersedes the write', async () => {
    const { node, sim } = await start();
    const w = await node.store.put('k', Buffer.from('v1'));
    expect(w.acks).toBe(1);
    const r = await node.store.get('k');
    expect(r.siblings[0]!.writtenAt).toBe(sim.clock('n1').now());
    expect(Buffer.compare(r.context, w.context)).toBe(0);
    await node.stop();
  });

  it('expires a TTL value on the virtual clock, and a later put without TTL lives on', async () => {
    const { node, sim } = await start();
    await node.store.put('t', Buffer.from('short'), { ttlMs: 100 });
    expect((await node.store.get('t')).siblings[0]!.expiresAt).toBe(sim.clock('n1').now() + 100);
    await sim.runFor(100);
    expect((await node.store.get('t')).found).toBe(false);
    await node.store.put('t', Buffer.from('long'));
    await sim.runFor(10_000);
    expect(text((await node.store.get('t')).siblings[0]?.value)).toBe('long');
    await node.stop();
  });

  it('rejects a context stamped too far in the future and writes nothing', async () => {
    const { node, sim } = await start();
    const future = asCausalContext(encodeHlc({ physical: sim.clock('n1').now() + 5_000, logical: 0, writer: 'evil' }));
    await expect(node.store.put('f', Buffer.from('x'), { context: future })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(node.store.batch([{ type: 'put', key: 'f', value: Buffer.from('x'), context: future }])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await node.resolve(ReplicaToken).read('f')).toEqual([]);
    await node.stop();
  });

  it('a write with the read context wins over the read version when the clock went back within the skew bound', async () => {
    const { node, sim } = await start();
    await node.store.put('c', Buffer.from('first'));
    const read = await node.store.get('c');
    sim.clock('n1').jump(-900);
    await node.store.put('c', Buffer.from('second'), { context: read.context });
    expect(text((await node.store.get('c')).siblings[0]?.value)).toBe('second');
    // Beyond the bound, the read context now looks like it comes from the future: rejected, nothing written.
    sim.clock('n1').jump(-5_000);
    const again = await node.store.get('c');
    await expect(node.store.put('c', Buffer.from('third'), { context: again.context })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(text((await node.store.get('c')).siblings[0]?.value)).toBe('second');
    await node.stop();
  });

  it('conditional delete: ifVersion fails with CONFLICT once the key changed', async () => {
    const { node } = await start();
    await node.store.put('d', Buffer.from('1'));
    const read = await node.store.get('d');
    await node.store.put('d', Buffer.from('2'));
    await expect(node.store.delete('d', { ifVersion: read.context })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await node.store.get('d')).found).toBe(true);
    await node.store.delete('d', { ifVersion: (await node.store.get('d')).context });
    expect((await node.store.get('d')).found).toBe(false);
    await node.stop();
  });

  it('scans the local replica page by page: live keys once each, deleted and expired ones left out, cursor null at the end', async () => {
    const { node, sim } = await start();
    const keys = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    await node.store.batch(keys.map((key) => ({ type: 'put' as const, key, value: Buffer.from(key) })));
    await node.store.put('other', Buffer.from('x'));
    await node.store.delete('k03');
    await node.store.put('k04', Buffer.from('short'), { ttlMs: 10 });
    await sim.runFor(10);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await node.store.scan({ prefix: 'k', limit: 4, cursor });
      expect(page.items.length).toBeLessThanOrEqual(4);
      for (const item of page.items) {
        seen.push(item.key);
        expect(item.siblings.map((s) => text(s.value))).toEqual([item.key]);
      }
      cursor = page.cursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toEqual(keys.filter((k) => k !== 'k03' && k !== 'k04')); // one partition: key order
    expect(pages).toBe(6);
    await expect(node.store.scan({ cursor: '1.' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' }); // Q = 1
    await expect(node.store.scan({ consistency: 'all' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await node.stop();
  });
});
