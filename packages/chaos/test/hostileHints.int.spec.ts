import { afterEach, describe, expect, it } from '@jest/globals';
import { partitionOfKey, type Envelope, type NodeId } from '@dynamis/core';
import { HintServiceToken } from '@dynamis/hinted-handoff';
import { lwwVersion, sibling } from '../src';
import { EVIL, hostileCluster, PARTITIONS, type HostileCluster } from './hostileCluster';

/*
 * Hostile peer, hints: a compromised n3 asks n1 to hold hints it has no
 * business holding — for a key n1 itself replicates, for a target that is
 * not a member or not a replica of the key. Each is refused INVALID_ARGUMENT (details.refused) before
 * the hint store sees it, counted, logged; nothing is delivered anywhere.
 */

let c: HostileCluster | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

const hint = (cl: HostileCluster, target: NodeId, key: string): Envelope => ({
  type: 'hints.store',
  payload: { target, key, siblings: [sibling(lwwVersion(cl.sim.clock('n1').now(), EVIL))] },
});

async function refusal(cl: HostileCluster, p: Promise<unknown>): Promise<unknown> {
  try {
    await cl.run(p);
    return 'stored';
  } catch (err) {
    return err;
  }
}

/** n1 refused every hint: none pending, none delivered, counted and logged; the cluster serves. */
async function refusedEverywhere(cl: HostileCluster, keys: readonly string[], refused: number): Promise<void> {
  expect(cl.hints('n1').stats().pending).toEqual({});
  await cl.sim.runFor(10_000);
  for (const key of keys)
    for (const id of cl.ids) if (id !== EVIL) expect([id, key, await cl.rawRecord(id, key)]).toEqual([id, key, undefined]);
  expect(cl.node('n1').resolve(HintServiceToken).refused).toBe(refused);
  expect(cl.log('n1').filter((l) => l.includes('hint refused')).length).toBeGreaterThan(0);
  await cl.serves('after-hints');
}

describe('hostile: hints', () => {
  it('hostile: hints for keys the receiver replicates, and for a non-member target', async () => {
    c = await hostileCluster({ seed: 31 });
    // 3 nodes, N = 3: n1 replicates every key, so no honest coordinator hints to it.
    expect(await refusal(c, c.evil.inject('n1', hint(c, 'n2', 'h-own')))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { refused: expect.stringContaining('this node is a replica'), applied: false },
    });
    expect(await refusal(c, c.evil.inject('n1', hint(c, 'ghost', 'h-ghost')))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { refused: 'target ghost is not a member' },
    });
    await refusedEverywhere(c, ['h-own', 'h-ghost'], 2);
  });

  it('hostile: hints for a partition the target does not replicate', async () => {
    c = await hostileCluster({ seed: 32 });
    await c.join('n4');
    // 4 nodes, N = 3: a key n2 does not replicate; a hint "for n2" of it is bogus whoever holds it.
    const p = c.placement('n1');
    let key = '';
    for (let i = 0; key === ''; i++) {
      const prefs = p.preferenceList(partitionOfKey(`t${i}`, PARTITIONS), 3);
      if (!prefs.includes('n2')) key = `t${i}`;
      if (i > 10_000) throw new Error('no such key');
    }
    expect(await refusal(c, c.evil.inject('n1', hint(c, 'n2', key)))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { refused: 'target n2 is not a replica of the key' },
    });
    await refusedEverywhere(c, [key], 1);
  });
});
