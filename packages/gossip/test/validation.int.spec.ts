import { describe, expect, it } from '@jest/globals';
import { isDynamisError, type Envelope } from '@dynamis/core';
import { runSimulation, type Simulation } from '@dynamis/testkit';
import { SYNC, SYNC_REPLY } from '../src';
import { GossipCluster, seedList } from './GossipCluster';

const OPTS = { maxMembers: 8, maxEntriesPerMessage: 6, maxPiggyback: 4, maxClockSkewMs: 60_000 };

/** A raw endpoint `x` that speaks to n1 with hand-made payloads; `answer` replies to what n1 sends it. */
async function rig(sim: Simulation, answer?: (msg: Envelope) => Envelope) {
  const c = new GossipCluster(sim, OPTS);
  const n1 = await c.start('n1', seedList(['n1']));
  const x = sim.transport('x');
  x.setHandler(async (_from, msg) => answer?.(msg));
  await x.start();
  const send = async (payload: unknown): Promise<unknown> => {
    const reply = x.request('n1', { type: SYNC, payload }, { timeoutMs: 1000 });
    await sim.runFor(50);
    return reply.then(
      (r) => r,
      (err: unknown) => (isDynamisError(err) ? err.code : err),
    );
  };
  return { c, n1, send };
}

const entry = (id: string, status: string, incarnation: number, address = `${id}:1`): string => `${id} ${status} ${incarnation} ${address}`;

describe('gossip refuses bad and oversized input, counted, and stays up', () => {
  it('whole messages: too many entries, malformed entries, oversize ids and addresses, unsafe incarnations', () =>
    runSimulation({ seed: 1, nodes: ['n1', 'x'] }, async (sim) => {
      const { c, n1, send } = await rig(sim);
      const ok = (id: string): string => entry(id, 'alive', 1);
      expect(await send({ updates: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(ok), full: false })).toBe('PROTOCOL_ERROR');
      expect(n1.stats().dropped['too-many-entries']).toBe(1);
      const bad = [
        { updates: [entry('a'.repeat(65), 'alive', 1)], full: false },
        { updates: [entry('a', 'alive', 1, 'h'.repeat(271))], full: false },
        { updates: ['a alive 9999999999999999 a:1'], full: false }, // 16 digits, above 2^53
        { updates: [entry('a', 'zombie', 1)], full: false },
        { updates: [`${ok('a')} w=0`], full: false },
        { updates: [`${ok('a')} j=12345678901234567`], full: false }, // 17 digits
        { updates: [`${ok('a')} j=9999999999999999`], full: false }, // above 2^53
        { updates: [`${ok('a')} j=5 l=6`], full: false }, // leftAt on an alive entry
        { updates: [`${entry('a', 'left', 1)} j=7 l=6`], full: false }, // left before it joined
        { updates: [`${entry('a', 'left', 1)} l=6 j=5`], full: false }, // fields out of order
        { updates: [{ id: 'a' }], full: false },
        { updates: [ok('a')], full: 'yes' },
        { updates: [ok('a')], full: false, extra: 1 },
        'not an object',
      ];
      for (const payload of bad) expect({ payload, reply: await send(payload) }).toEqual({ payload, reply: 'PROTOCOL_ERROR' });
      expect(n1.stats().dropped['invalid-message']).toBe(bad.length);
      expect(n1.members().map((m) => m.id)).toEqual(['n1']); // nothing applied
      expect(await send({ updates: [ok('a')], full: false })).toMatchObject({ type: SYNC_REPLY });
      expect(n1.member('a')).toMatchObject({ status: 'joining' }); // held, not placed: x spoke for a, a never answered n1
      // A weight above maxAcceptedWeight (default 4) is taken as 4, counted; x's own entry, from x, is verified at once.
      expect(await send({ updates: [`${entry('x', 'alive', 1)} w=1000`, `${entry('b', 'alive', 1)} w=4`], full: false })).toMatchObject({
        type: SYNC_REPLY,
      });
      expect(n1.stats().clampedWeights).toBe(1);
      expect(n1.member('x')).toMatchObject({ status: 'up', weight: 4 });
      expect(n1.entry('b')).toMatchObject({ weight: 4 });
      expect(n1.isAlive('n1')).toBe(true);
      await c.stopAll();
    }));

  it('entries: beyond maxMembers, incarnations ahead of the clock, and claims about n1 only n1 may make', () =>
    runSimulation({ seed: 1, nodes: ['n1', 'x'] }, async (sim) => {
      const { c, n1, send } = await rig(sim);
      const mine = n1.entry('n1')!.incarnation;
      await send({ updates: ['a', 'b', 'c', 'd', 'e'].map((id) => entry(id, 'alive', 1)), full: false });
      await send({ updates: ['f', 'g', 'h'].map((id) => entry(id, 'alive', 1)), full: false });
      expect(n1.members()).toHaveLength(8);
      expect(n1.stats().dropped['view-full']).toBe(1);
      await send({ updates: [entry('a', 'alive', sim.clock('n1').now() + 120_000)], full: false });
      expect(n1.stats().dropped['incarnation-ahead']).toBe(1);
      expect(n1.entry('a')!.incarnation).toBe(1);
      await send({ updates: [`${entry('a', 'alive', 2)} j=${sim.clock('n1').now() + 120_000}`], full: false });
      await send({ updates: [`${entry('b', 'left', 2)} j=1 l=${sim.clock('n1').now() + 120_000}`], full: false });
      expect(n1.stats().dropped['time-ahead']).toBe(2);
      expect(n1.entry('a')).toMatchObject({ incarnation: 1 });
      expect(n1.entry('b')).toMatchObject({ status: 'alive' });
      await send({ updates: [`${entry('b', 'left', 2)} j=1 l=2`], full: false });
      expect(n1.member('b')).toMatchObject({ status: 'left', joinedAt: 1, leftAt: 2 });
      await send({ updates: [entry('n1', 'left', mine), entry('n1', 'alive', mine + 5)], full: false });
      expect(n1.stats().dropped['self-authority']).toBe(2);
      expect(n1.entry('n1')).toMatchObject({ status: 'alive', incarnation: mine + 2 }); // re-asserted after each refusal
      await send({ updates: [entry('n1', 'suspect', mine + 2)], full: false });
      expect(n1.stats().refutations).toBe(3);
      expect(n1.entry('n1')).toMatchObject({ status: 'alive', incarnation: mine + 3 });
      expect(n1.isAlive('n1')).toBe(true);
      await c.stopAll();
    }));

  it('replies: an invalid reply or one from another id fails the exchange, counted', () =>
    runSimulation({ seed: 1, nodes: ['n1', 'x'] }, async (sim) => {
      let mode: 'bad' | 'impostor' = 'bad';
      const { c, n1, send } = await rig(sim, () =>
        mode === 'bad'
          ? { type: SYNC_REPLY, payload: { from: 'x', updates: 'nope' } }
          : { type: SYNC_REPLY, payload: { from: 'y', updates: [] } },
      );
      await send({ updates: [entry('x', 'alive', 1)], full: false }); // n1 now probes and gossips with x
      await sim.runUntil(() => n1.stats().dropped['invalid-message'] > 0, 10_000);
      mode = 'impostor';
      await sim.runUntil(() => n1.stats().dropped['wrong-sender'] > 0, 10_000);
      await sim.runUntil(() => n1.member('x')?.status === 'down', 30_000); // never a valid answer: suspected, then down
      expect(n1.isAlive('n1')).toBe(true);
      await c.stopAll();
    }));
});
