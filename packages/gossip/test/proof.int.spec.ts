import { describe, expect, it } from '@jest/globals';
import type { Envelope } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { SYNC } from '../src';
import { formCluster, nodeIds } from './simSupport';

/*
 * Proof before placement (README "Proof before placement"): a member learned
 * from a third party is published `joining` (not placed) until it answers
 * this node directly, and forgotten when it never does; a third-party `left`
 * claim is acted on only once the member confirms it or cannot be reached.
 * `x` is a raw endpoint (not a member) speaking to n1 with hand-made entries.
 */

const OPTS = { verifyTimeoutMs: 3000, fanout: 1 };
const entry = (id: string, status: string, incarnation: number, address = `${id}:1`): string => `${id} ${status} ${incarnation} ${address}`;

describe('gossip: proof before placement', () => {
  it('a member only a third party vouches for is joining (dialled, never placed), then forgotten after verifyTimeoutMs, counted', () =>
    runSimulation({ seed: 1, nodes: [...nodeIds(3), 'x'] }, async (sim) => {
      const c = await formCluster(sim, nodeIds(3), OPTS);
      const n1 = c.m('n1');
      const events: string[] = [];
      for (const ev of ['joining', 'joined', 'up', 'down', 'left', 'forgotten'] as const)
        n1.on(ev, (m) => void (m.id === 'ghost' && events.push(ev)));
      const x = sim.transport('x');
      await x.start();
      const sent: Envelope = { type: SYNC, payload: { updates: [entry('ghost', 'alive', sim.clock('n1').now())], full: false } };
      await sim.settle(x.request('n1', sent, { timeoutMs: 1000 }));
      expect(n1.member('ghost')?.status).toBe('joining');
      expect(n1.isAlive('ghost')).toBe(false);
      expect(events).toEqual(['joining']);
      await sim.runFor(1000);
      // n1 does not relay it: the other nodes never hear of it.
      expect([c.m('n2').entry('ghost'), c.m('n3').entry('ghost')]).toEqual([undefined, undefined]);
      await sim.runUntil(() => n1.entry('ghost') === undefined, 3000);
      expect(n1.stats().dropped.unverified).toBe(1);
      expect(events).toEqual(['joining', 'forgotten']); // forgotten: the kernel makes the Transport forget its address
      expect(n1.stats().verified).toBe(0);
      await c.stopAll();
    }));

  it('a false "n2 left" from a third party is refuted by probing n2: no left event, n2 stays up everywhere', () =>
    runSimulation({ seed: 2, nodes: [...nodeIds(4), 'x'] }, async (sim) => {
      const c = await formCluster(sim, nodeIds(4), OPTS);
      const left: string[] = [];
      for (const o of nodeIds(4)) c.m(o).on('left', (m) => void left.push(`${o}:${m.id}`));
      const x = sim.transport('x');
      await x.start();
      const n2 = c.m('n1').entry('n2')!;
      const claim = `${entry('n2', 'left', n2.incarnation + 1, n2.address)} j=${n2.joinedAt} l=${sim.clock('n1').now()}`;
      await sim.settle(x.request('n1', { type: SYNC, payload: { updates: [claim], full: false } }, { timeoutMs: 1000 }));
      expect(c.m('n1').member('n2')?.status).toBe('up');
      await sim.runUntil(() => c.m('n1').stats().dropped['departure-refuted'] === 1, 5000);
      await sim.runFor(5000);
      expect(left).toEqual([]);
      for (const o of nodeIds(4)) expect(c.m(o).entry('n2')).toMatchObject({ status: 'alive', incarnation: n2.incarnation });
      await c.stopAll();
    }));

  it('a graceful leave whose leaver stops at once still ends left everywhere: third parties find it unreachable and take the claim', () =>
    runSimulation({ seed: 3, nodes: nodeIds(8) }, async (sim) => {
      const ids = nodeIds(8);
      const c = await formCluster(sim, ids, { ...OPTS, leaveAnnounceMs: 300 });
      await sim.runFor(2000);
      const leaver = 'n8';
      const observers = ids.filter((id) => id !== leaver);
      await sim.settle(c.m(leaver).leave(), 10_000);
      await c.crash(leaver); // gone: it answers no probe
      await sim.runUntil(() => observers.every((o) => c.m(o).member(leaver)?.status === 'left'), 30_000);
      for (const o of observers) {
        expect({ o, events: c.events(o, leaver).filter((e) => e !== 'joined') }).toEqual({ o, events: ['left'] });
        expect(c.m(o).stats().dropped['departure-refuted']).toBe(0);
      }
      await c.stopAll();
    }));
});
