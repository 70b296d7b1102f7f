import { afterEach, describe, expect, it } from '@jest/globals';
import type { GossipMembership } from '@dynamis/gossip';
import { gossipEntry } from '../src';
import { HONEST, hostileCluster, type HostileCluster } from './hostileCluster';

/*
 * Hostile peer, gossip: a compromised n3 (which runs the real gossip
 * protocol, so it is a member) sends gossip.sync messages with bad content
 * to n1: more entries than a message may carry, thousands of invented
 * members, incarnations (SWIM's heartbeat versions) far ahead, claims about
 * n1 itself, a `left` status for n2, and a weight of 1000 for itself. Each
 * is refused, held until proved, or bounded, and counted
 * (GossipMembership.stats()); the placement never changes for it and the
 * cluster keeps serving.
 */

let c: HostileCluster | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

const gossip = (cl: HostileCluster, id: string) => cl.membership(id) as GossipMembership;

async function liveCluster(seed: number, maxMembers?: number): Promise<HostileCluster> {
  const cl = await hostileCluster({
    seed,
    membership: 'gossip',
    ...(maxMembers === undefined
      ? {}
      : { gossip: { maxMembers, maxEntriesPerMessage: maxMembers, maxPiggyback: maxMembers / 2, maxLeftMembers: maxMembers / 2 } }),
  });
  await cl.sim.runUntil(() => cl.ids.every((id) => cl.ids.every((m) => gossip(cl, id).entry(m)?.status === 'alive')), 60_000);
  return cl;
}

/** Members that `id`'s ring places (the owners of any replica). */
const placed = (cl: HostileCluster, id: string): string[] => [...cl.placement(id).nodes];

async function sync(cl: HostileCluster, to: string, updates: string[]): Promise<unknown> {
  try {
    return await cl.run(cl.evil.inject(to, { type: 'gossip.sync', payload: { updates, full: false } }));
  } catch (err) {
    return err;
  }
}

describe('hostile: gossip', () => {
  it('hostile: invented members are never placed, the cluster keeps serving at W=R=2, and they are forgotten when they never answer', async () => {
    // maxMembers 16: the view fills with 13 invented members, which used to take 13/16 of the ring and stop the cluster.
    c = await liveCluster(51, 16);
    const cl = c;
    const now = cl.sim.clock('n1').now();
    const fake = (i: number) => gossipEntry({ id: `fake${i}`, status: 'alive', incarnation: now, address: `fake${i}`, joinedAt: now - 1 });
    const over = await sync(
      cl,
      'n1',
      Array.from({ length: 5000 }, (_, i) => fake(i)),
    );
    expect(over).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(gossip(cl, 'n1').entry('fake0')).toBeUndefined();
    const ring = new Map(HONEST.map((id) => [id, cl.placement(id).hash]));
    const fakesPlaced = (): boolean => cl.ids.some((id) => placed(cl, id).some((m) => m.startsWith('fake')));
    // Thousands of members in messages within the per-message bound, to both honest nodes: the view stops at maxMembers.
    for (const to of HONEST)
      for (let start = 0; start < 2000; start += 16)
        await sync(
          cl,
          to,
          Array.from({ length: 16 }, (_, i) => fake(start + i)),
        );
    for (const id of HONEST) {
      const g = gossip(cl, id);
      expect(g.members().length).toBeLessThanOrEqual(16);
      expect(g.stats().dropped['view-full']).toBeGreaterThan(1900);
      // Held (so a real newcomer could be verified and relayed) but published `joining`: not placed, not alive.
      const invented = g.members().filter((m) => m.id.startsWith('fake'));
      expect(invented.length).toBe(13);
      expect(invented.every((m) => m.status === 'joining' && !g.isAlive(m.id))).toBe(true);
      expect(placed(cl, id).sort()).toEqual(['n1', 'n2', 'n3']);
      expect(cl.placement(id).hash).toBe(ring.get(id));
    }
    // While they are held: every coordinator serves at W=R=2, and no ring ever contains one.
    for (const via of cl.ids) await cl.serves(`while-invented-${via}`, via);
    expect(fakesPlaced()).toBe(false);
    // They never answer the verification probes: forgotten after verifyTimeoutMs, counted; the view has room again.
    let everPlaced = false;
    await cl.sim.runUntil(() => {
      everPlaced ||= fakesPlaced();
      return HONEST.every((id) =>
        gossip(cl, id)
          .members()
          .every((m) => !m.id.startsWith('fake')),
      );
    }, 60_000);
    expect(everPlaced).toBe(false);
    for (const id of HONEST) {
      expect(gossip(cl, id).stats().dropped.unverified).toBeGreaterThanOrEqual(13);
      expect(
        gossip(cl, id)
          .members()
          .map((m) => m.id)
          .sort(),
      ).toEqual(['n1', 'n2', 'n3']);
      expect(cl.placement(id).hash).toBe(ring.get(id));
    }
    for (const via of cl.ids) await cl.serves(`after-invented-${via}`, via);
    // Sent again, they are held again (the clock restarts) and forgotten again: bounded work, never placed.
    await sync(
      cl,
      'n1',
      Array.from({ length: 13 }, (_, i) => fake(i)),
    );
    expect(
      gossip(cl, 'n1')
        .members()
        .filter((m) => m.status === 'joining'),
    ).toHaveLength(13);
    await cl.sim.runUntil(() => gossip(cl, 'n1').members().length === 3, 60_000);
    expect(gossip(cl, 'n1').stats().dropped.unverified).toBeGreaterThanOrEqual(26);
    expect(fakesPlaced()).toBe(false);
    await cl.serves('after-invented-again');
  });

  it('hostile: gossip with huge heartbeat versions (incarnations) and claims about the receiver itself is dropped, counted', async () => {
    c = await liveCluster(52);
    const n2 = gossip(c, 'n1').entry('n2')!;
    const n1 = gossip(c, 'n1').entry('n1')!;
    await sync(c, 'n1', [
      gossipEntry({ id: 'n2', status: 'dead', incarnation: Number.MAX_SAFE_INTEGER, address: n2.address }),
      gossipEntry({ id: 'n1', status: 'left', incarnation: n1.incarnation + 1, address: n1.address }),
    ]);
    const stats = gossip(c, 'n1').stats();
    expect(stats.dropped['incarnation-ahead']).toBeGreaterThan(0);
    expect(stats.dropped['self-authority']).toBeGreaterThan(0);
    expect(gossip(c, 'n1').entry('n2')?.status).toBe('alive');
    expect(gossip(c, 'n1').entry('n1')?.status).toBe('alive');
    await c.serves('after-huge-versions');
  });

  it('hostile: a false "n2 left", repeated at each new incarnation, never changes n1\'s placement; n2 answers and each claim is refuted', async () => {
    c = await liveCluster(53);
    const cl = c;
    const n1 = gossip(cl, 'n1');
    const before = cl.placement('n1').hash;
    const left: string[] = [];
    n1.on('left', (m) => left.push(m.id));
    const n2 = n1.entry('n2')!;
    for (let k = 1; k <= 3; k++) {
      await sync(cl, 'n1', [
        gossipEntry({ id: 'n2', status: 'left', incarnation: n2.incarnation + k, address: n2.address, leftAt: cl.sim.clock('n1').now() }),
      ]);
      // Held, not applied: n1 asks n2 itself, n2 answers alive, the claim is dropped.
      expect(n1.member('n2')?.status).toBe('up');
      await cl.sim.runUntil(() => n1.stats().dropped['departure-refuted'] === k, 10_000);
      expect(n1.entry('n2')).toMatchObject({ status: 'alive', incarnation: n2.incarnation });
      expect(cl.placement('n1').hash).toBe(before);
    }
    await cl.sim.runFor(5_000);
    expect(left).toEqual([]);
    expect(cl.placement('n1').hash).toBe(before);
    expect(placed(cl, 'n1').sort()).toEqual(['n1', 'n2', 'n3']);
    await cl.serves('after-left-claim');
    await cl.serves('after-left-claim-n2', 'n2');
  });

  it('hostile: a member gossiping weight 1000 for itself is taken at maxAcceptedWeight (4), counted', async () => {
    c = await liveCluster(54);
    const cl = c;
    const mine = gossip(cl, 'n3').entry('n3')!;
    await sync(cl, 'n1', [gossipEntry({ ...mine, status: 'alive', incarnation: mine.incarnation + 1, weight: 1000 })]);
    expect(gossip(cl, 'n1').stats().clampedWeights).toBe(1);
    expect(gossip(cl, 'n1').member('n3')?.weight).toBe(4);
    // The clamped entry is what n1 relays: n2 takes it as 4 too, and both rings agree.
    await cl.sim.runUntil(() => gossip(cl, 'n2').member('n3')?.weight === 4, 30_000);
    expect(cl.placement('n2').hash).toBe(cl.placement('n1').hash);
    await cl.serves('after-weight');
  });
});
