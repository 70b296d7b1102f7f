import { afterEach, describe, expect, it } from '@jest/globals';
import { partitionOfKey } from '@dynamis/core';
import type { MerkleIndex } from '../../anti-entropy/src/merkle/MerkleIndex';
import { lwwVersion, sibling } from '../src';
import { EVIL, hostileCluster, keysOf, PARTITIONS, pullFrom, type HostileCluster } from './hostileCluster';

/*
 * Hostile peer, bulk paths: huge anti-entropy requests sent to n1; an
 * anti-entropy peer and a rebalance source that never end; a rebalance
 * page with records of another partition. Each is refused or cut off with a
 * typed error (PROTOCOL_ERROR, INVALID_ARGUMENT, TIMEOUT), nothing foreign
 * is merged, and the cluster serves during and after.
 */

let c: HostileCluster | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

async function outcome(cl: HostileCluster, p: Promise<unknown>): Promise<unknown> {
  try {
    await cl.run(p);
    return 'resolved';
  } catch (err) {
    return err;
  }
}

const indexOf = (cl: HostileCluster, id: string): MerkleIndex => (cl.ae(id) as unknown as { index: MerkleIndex }).index;

describe('hostile: anti-entropy', () => {
  it('hostile: huge anti-entropy requests (a level with every bucket, key lists beyond bounds) are refused', async () => {
    c = await hostileCluster({ seed: 41 });
    const index = indexOf(c, 'n1');
    const header = { partitionCount: PARTITIONS, levels: index.levels, partition: 0 };
    const ask = (type: string, payload: object) => c!.evil.inject('n1', { type, payload });
    // Every bucket of a level, 2000 at once: over maxNodesPerRequest (1024).
    const every = Array.from({ length: 2000 }, (_, i) => i);
    expect(await outcome(c, ask('antiEntropy.nodes', { ...header, level: index.levels, indices: every }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    // Beyond the schema's bound (4096 nodes, 4096 keys): refused before any handler runs.
    const huge = Array.from({ length: 100_000 }, (_, i) => i);
    expect(await outcome(c, ask('antiEntropy.nodes', { ...header, level: 1, indices: huge }))).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(await outcome(c, ask('antiEntropy.leaf', { ...header, leaf: 0, limit: 1_000_000 }))).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(await outcome(c, ask('antiEntropy.leaf', { ...header, leaf: 2 ** 30, limit: 10 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    await c.serves('after-ae-requests');
  });

  it('hostile: an anti-entropy peer that lists keys forever is cut off at maxExchangeMs', async () => {
    c = await hostileCluster({ seed: 42, antiEntropy: { maxExchangeMs: 5_000 } });
    const index = indexOf(c, 'n1');
    const partition = partitionOfKey('k', PARTITIONS);
    const leafOf = (key: string): number => index.position(key).leaf;
    // n3 says every node differs, and lists fresh keys of the asked leaf, page after page, forever.
    c.evil.intercept('antiEntropy.nodes', async (_from, msg) => {
      const { indices } = msg.payload as { indices: number[] };
      return { type: 'antiEntropy.nodes.result', payload: { hashes: new Uint8Array(16 * indices.length).fill(7) } };
    });
    let next = 0;
    let listed = 0;
    c.evil.intercept('antiEntropy.leaf', async (_from, msg) => {
      const { leaf } = msg.payload as { leaf: number };
      await c!.sim.clock(EVIL).sleep(500); // a slow page: the deadline, not the page count, must end it
      const entries: { key: string; digest: Uint8Array }[] = [];
      for (; entries.length < 4; next++) {
        const key = `f${String(next).padStart(9, '0')}`;
        if (partitionOfKey(key, PARTITIONS) === partition && leafOf(key) === leaf) entries.push({ key, digest: new Uint8Array(16) });
      }
      listed += entries.length;
      return { type: 'antiEntropy.leaf.result', payload: { entries, more: true } };
    });
    const err = await outcome(c, c.ae('n1').exchange(EVIL, partition));
    expect(err).toMatchObject({ code: 'TIMEOUT', details: { peer: EVIL, ms: 5_000 } });
    expect(listed).toBeGreaterThan(0);
    await c.serves('after-endless-ae');
  });
});

describe('hostile: rebalance streams', () => {
  const p = partitionOfKey('anything', PARTITIONS);

  it('hostile: a rebalance stream that never ends is cut off at maxStreamMs; what it sent was its partition’s only', async () => {
    c = await hostileCluster({ seed: 43 });
    const keys = keysOf(p, 1000, 'e').sort();
    let page = 0;
    c.evil.intercept('rebalance.pull', async () => {
      const key = keys[page++]!;
      await c!.sim.clock(EVIL).sleep(500);
      const version = lwwVersion(c!.sim.clock(EVIL).now(), EVIL);
      return { type: 'rebalance.pull.result', payload: { entries: [{ key, siblings: [sibling(version)] }], next: key } };
    });
    const err = await outcome(c, pullFrom(c, 'n1', p, 20_000));
    expect(err).toMatchObject({ code: 'TIMEOUT', details: { peer: EVIL, partition: p } });
    expect(page).toBeGreaterThan(1);
    expect(page).toBeLessThan(keys.length);
    await c.serves('after-endless-stream');
  });

  it('hostile: an endless stream of empty pages is refused at the first page', async () => {
    c = await hostileCluster({ seed: 44 });
    let page = 0;
    c.evil.intercept('rebalance.pull', async () => ({ type: 'rebalance.pull.result', payload: { entries: [], next: `z${page++}` } }));
    expect(await outcome(c, pullFrom(c, 'n1', p))).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(page).toBe(1);
  });

  it('hostile: a rebalance stream with records outside the partition is refused whole, nothing of it merged', async () => {
    c = await hostileCluster({ seed: 45 });
    const inside = keysOf(p, 2, 'in');
    const outside = keysOf((p + 1) % PARTITIONS, 1, 'out');
    const records = [...inside, ...outside].sort().map((key) => ({ key, siblings: [sibling(lwwVersion(c!.sim.clock(EVIL).now(), EVIL))] }));
    c.evil.intercept('rebalance.pull', async () => ({ type: 'rebalance.pull.result', payload: { entries: records } }));
    expect(await outcome(c, pullFrom(c, 'n1', p))).toMatchObject({ code: 'PROTOCOL_ERROR', details: { peer: EVIL } });
    for (const key of [...inside, ...outside]) expect([key, await c.rawRecord('n1', key)]).toEqual([key, undefined]);
    await c.serves('after-foreign-stream');
  });
});
