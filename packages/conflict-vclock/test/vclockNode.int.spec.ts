import { describe, expect, it } from '@jest/globals';
import { asCausalContext, createNode, type DynamisNode } from '@dynamis/core';
import { localCoordinator } from '@dynamis/coordinator-local';
import { memoryEngine } from '@dynamis/engine-memory';
import { vclockResolver } from '../src';

const text = (v: Uint8Array | null | undefined): string => (v == null ? '<none>' : Buffer.from(v).toString());

async function start(maxSiblings = 8): Promise<DynamisNode> {
  const node = await createNode({ nodeId: 'n1', log: { level: 'silent' } }, [
    vclockResolver({ maxSiblings }),
    memoryEngine(),
    localCoordinator(),
  ]);
  await node.start();
  return node;
}

describe('a node with the vclock resolver (Store → coordinator → replica)', () => {
  it('keeps concurrent writes as siblings, and a write with the read context resolves them', async () => {
    const node = await start();
    const read0 = await node.store.get('k');
    await Promise.all([
      node.store.put('k', Buffer.from('a'), { context: read0.context }),
      node.store.put('k', Buffer.from('b'), { context: read0.context }),
    ]);
    const read = await node.store.get('k');
    expect(read.siblings.map((s) => text(s.value)).sort()).toEqual(['a', 'b']);
    await node.store.put('k', Buffer.from('a+b'), { context: read.context });
    expect((await node.store.get('k')).siblings.map((s) => text(s.value))).toEqual(['a+b']);
    await node.stop();
  });

  it('a stale context adds a sibling; put-if-version with it is a CONFLICT', async () => {
    const node = await start();
    await node.store.put('k', Buffer.from('v1'));
    const stale = (await node.store.get('k')).context;
    await node.store.put('k', Buffer.from('v2'), { context: stale });
    await expect(node.store.put('k', Buffer.from('v3'), { ifVersion: stale })).rejects.toMatchObject({ code: 'CONFLICT' });
    await node.store.put('k', Buffer.from('v3'), { context: stale });
    expect((await node.store.get('k')).siblings.map((s) => text(s.value))).toEqual(['v2', 'v3']);
    await node.stop();
  });

  it('refuses malformed and foreign contexts with INVALID_ARGUMENT and writes nothing', async () => {
    const node = await start();
    const lwwLike = asCausalContext(Buffer.concat([Buffer.alloc(8), Buffer.from('n1')]));
    for (const context of [lwwLike, asCausalContext(Uint8Array.of(0xc1, 0)), asCausalContext(new Uint8Array(5000))]) {
      await expect(node.store.put('k', Buffer.from('x'), { context })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(node.store.batch([{ type: 'del', key: 'k', context }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect((await node.store.get('k')).found).toBe(false);
    await node.stop();
  });

  it('refuses a blind write beyond maxSiblings with CONFLICT, writing nothing; the merged write still succeeds', async () => {
    const node = await start(2);
    await node.store.put('k', Buffer.from('a'));
    await node.store.put('k', Buffer.from('b'));
    await expect(node.store.put('k', Buffer.from('c'))).rejects.toMatchObject({ code: 'CONFLICT', details: { condition: 'maxSiblings' } });
    const read = await node.store.get('k');
    expect(read.siblings).toHaveLength(2);
    await node.store.put('k', Buffer.from('ab'), { context: read.context });
    expect((await node.store.get('k')).siblings.map((s) => text(s.value))).toEqual(['ab']);
    await node.stop();
  });
});
