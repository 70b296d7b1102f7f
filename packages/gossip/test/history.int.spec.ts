import { describe, expect, it } from '@jest/globals';
import type { Member, NodeId } from '@dynamis/core';
import { RingPartitioner } from '@dynamis/ring';
import { runSimulation } from '@dynamis/testkit';
import { JOINED_AT_FILE } from '../src/joinedAtFile';
import { seedList } from './GossipCluster';
import { formCluster, nodeIds, runUntilPolled } from './simSupport';

const OPTS = { gossipIntervalMs: 100, probeIntervalMs: 300, probeTimeoutMs: 100, syncIntervalMs: 1000, leaveAnnounceMs: 300 };

/** The owner of every partition of the ring node `o` computes from its members(). */
const ringOf = (members: readonly Member[]): { hash: string; owners: NodeId[] } => {
  const p = new RingPartitioner({ partitions: 64 }).update(members);
  return { hash: p.hash, owners: p.partitions.map((b) => p.preferenceList(b.id, 1)[0]!) };
};

describe('gossip carries the history the ring needs: joinedAt and leftAt', () => {
  it('joinedAt is stamped at the first start, kept in the data dir and gossiped unchanged after a restart', () =>
    runSimulation({ seed: 1, nodes: nodeIds(4) }, async (sim) => {
      const ids = nodeIds(3);
      const c = await formCluster(sim, ids, OPTS);
      const first = c.m('n1').entry('n1')!;
      expect(first.joinedAt).toBeGreaterThan(0);
      for (const o of ids) expect(c.m(o).member('n1')?.joinedAt).toBe(first.joinedAt);
      expect(sim.fileSystem('n1').exists(`./data/gossip/${JOINED_AT_FILE}`)).toBe(true);

      await c.crash('n1');
      await sim.runFor(5000);
      await sim.restartNode('n1', () => c.start('n1', seedList(ids).slice(0, 3)));
      await runUntilPolled(
        sim,
        () => c.allSee('n1', 'alive') && ids.every((o) => c.m(o).entry('n1')!.incarnation > first.incarnation),
        30_000,
      );
      for (const o of ids) expect(c.m(o).member('n1')?.joinedAt).toBe(first.joinedAt);

      await sim.runFor(1000);
      await c.start('n4', seedList(ids).slice(0, 3));
      await runUntilPolled(sim, () => c.allSee('n4', 'alive'), 30_000);
      expect(c.m('n2').member('n4')!.joinedAt).toBeGreaterThan(first.joinedAt!);
      await c.stopAll();
    }));

  it('a graceful leave stamps leftAt after every known event; every node keeps the left member and computes one ring without it, moved only off it', () =>
    // n3's clock is 20 s behind: its leftAt must still sort after every join it knows.
    runSimulation({ seed: 2, nodes: nodeIds(5), skewMs: { n3: -20_000 } }, async (sim) => {
      const ids = nodeIds(5);
      const c = await formCluster(sim, ids, OPTS);
      const before = ringOf(c.m('n1').members());
      const latest = Math.max(
        ...c
          .m('n1')
          .members()
          .map((m) => m.joinedAt ?? 0),
      );
      await sim.settle(c.m('n3').leave(), 30_000);
      const others = ids.filter((id) => id !== 'n3');
      await runUntilPolled(sim, () => c.allSee('n3', 'left', others), 30_000);
      const leftAt = c.m('n3').entry('n3')!.leftAt!;
      expect(latest).toBeGreaterThan(sim.clock('n3').now());
      expect(leftAt).toBeGreaterThan(latest);
      for (const o of ids) expect(c.m(o).member('n3')).toMatchObject({ status: 'left', leftAt, joinedAt: c.m('n3').entry('n3')!.joinedAt });
      const rings = others.map((o) => ringOf(c.m(o).members()));
      for (const r of rings) expect(r.hash).toBe(rings[0]!.hash);
      const after = rings[0]!;
      expect(after.owners).not.toContain('n3');
      after.owners.forEach((owner, p) => {
        if (owner !== before.owners[p]) expect(before.owners[p]).toBe('n3');
      });
      await c.stopAll();
    }));

  it('a node joining later moves partitions only onto itself on every node, though its id sorts first', () =>
    runSimulation({ seed: 4, nodes: ['a0', ...nodeIds(4)] }, async (sim) => {
      const ids = nodeIds(4);
      const c = await formCluster(sim, ids, OPTS);
      const before = ringOf(c.m('n1').members());
      await sim.runFor(1000);
      await c.start('a0', seedList(ids).slice(0, 3));
      const all = ['a0', ...ids];
      await runUntilPolled(sim, () => c.allSee('a0', 'alive') && c.converged(all), 30_000);
      const rings = all.map((o) => ringOf(c.m(o).members()));
      for (const r of rings) expect(r.hash).toBe(rings[0]!.hash);
      const moved = rings[0]!.owners.filter((owner, p) => owner !== before.owners[p]);
      expect([12, 13]).toContain(moved.length); // its quota of 64 partitions over 5 nodes
      expect(new Set(moved)).toEqual(new Set(['a0']));
      await c.stopAll();
    }));

  it('keeps at most maxLeftMembers left members: past it every node forgets the one that left first', () =>
    runSimulation({ seed: 3, nodes: nodeIds(5) }, async (sim) => {
      const ids = nodeIds(5);
      const c = await formCluster(sim, ids, { ...OPTS, maxLeftMembers: 1 });
      // What a coordinator does: recompute the ring on every event, from members() at that moment.
      const atEvent = new Map<NodeId, string>();
      for (const o of ['n1', 'n2', 'n3'])
        for (const ev of ['up', 'down', 'joined', 'left'] as const) c.m(o).on(ev, () => atEvent.set(o, ringOf(c.m(o).members()).hash));
      await sim.settle(c.m('n4').leave(), 30_000);
      await runUntilPolled(sim, () => c.allSee('n4', 'left', ['n1', 'n2', 'n3']), 30_000);
      await sim.settle(c.m('n5').leave(), 30_000);
      const stay = ['n1', 'n2', 'n3'];
      await runUntilPolled(sim, () => c.allSee('n5', 'left', stay) && stay.every((o) => c.m(o).entry('n4') === undefined), 30_000);
      for (const o of stay) {
        const seen = c
          .m(o)
          .members()
          .map((m) => `${m.id}:${m.status}`)
          .sort();
        expect(seen).toEqual(['n1:up', 'n2:up', 'n3:up', 'n5:left']);
      }
      const rings = stay.map((o) => ringOf(c.m(o).members()).hash);
      expect(new Set(rings).size).toBe(1);
      expect(stay.map((o) => atEvent.get(o))).toEqual(rings); // n4 was gone before n5's left fired
      await sim.runFor(5000); // later gossip and full syncs do not bring n4 back
      for (const o of stay) expect(c.m(o).entry('n4')).toBeUndefined();
      await c.stopAll();
    }));
});
