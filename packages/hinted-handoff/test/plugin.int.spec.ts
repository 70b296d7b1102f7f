import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import {
  ConflictResolverToken,
  createNode,
  HINT_MESSAGE,
  HINT_REPLY,
  hintSchemas,
  HintStoreToken,
  PeerRpcToken,
  toWireSibling,
  type DynamisNode,
} from '@dynamis/core';
import { localCoordinator } from '@dynamis/coordinator-local';
import { memoryEngine } from '@dynamis/engine-memory';
import { runSimulation, simulatedEnvironment, FixedMembership, fixedMembership } from '@dynamis/testkit';
import { EngineHintStore, HINT_STATS_MESSAGE, HINT_STATS_REPLY, hintedHandoff, hintStatsSchemas } from '../src';

const view = () => new FixedMembership('n1', [{ id: 'n1', address: 'n1', status: 'up' }]);

describe('hintedHandoff plugin', () => {
  it('refuses unknown or out-of-range options with INVALID_CONFIG naming them', () => {
    expect(() => hintedHandoff({ windowMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => hintedHandoff({ maxHintz: 3 } as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('provides the HintStore, which is an EngineHintStore in the node’s engine', async () => {
    await runSimulation(1, async (sim) => {
      const node = await createNode({ nodeId: 'n1', log: { level: 'silent' } }, [
        simulatedEnvironment(sim, 'n1'),
        memoryEngine(),
        lwwResolver(),
        fixedMembership(view()),
        localCoordinator(),
        hintedHandoff(),
      ]);
      await node.start();
      expect(node.resolve(HintStoreToken)).toBeInstanceOf(EngineHintStore);
      await node.stop();
    });
  });

  it('fails the start when the hint window is not below tombstones.graceMs (a late hint could resurrect a delete)', async () => {
    await runSimulation(2, async (sim) => {
      const node = await createNode({ nodeId: 'n1', log: { level: 'silent' }, tombstones: { graceMs: 60_000 } }, [
        simulatedEnvironment(sim, 'n1'),
        memoryEngine(),
        lwwResolver(),
        fixedMembership(view()),
        localCoordinator(),
        hintedHandoff({ windowMs: 60_000 }),
      ]);
      const err = await node.start().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PLUGIN_FAILED', cause: { code: 'INVALID_CONFIG' } });
      expect(String((err as { cause: Error }).cause.message)).toMatch(/windowMs \(60000\) must be less than .*graceMs \(60000\)/);
      await node.stop();
    });
  });
});

describe('hint protocol (hints.store), served by the plugin', () => {
  it('stores a durable hint on the receiver; refuses bad keys, bad siblings and hints beyond a bound, storing nothing', async () => {
    await runSimulation(3, async (sim) => {
      const members = ['n1', 'n2', 'n3'].map((id) => ({ id, address: id, status: 'up' as const }));
      const nodes = [];
      for (const id of ['n1', 'n2']) {
        const node = await createNode({ nodeId: id, log: { level: 'silent' } }, [
          simulatedEnvironment(sim, id),
          memoryEngine(),
          lwwResolver(),
          fixedMembership(new FixedMembership(id, members, ['n1', 'n2'])),
          localCoordinator(),
          hintedHandoff({ maxHintsPerTarget: 1 }),
        ]);
        await node.start();
        nodes.push(node);
      }
      const [n1, n2] = nodes as [DynamisNode, DynamisNode];
      const run = async <T>(p: Promise<T>): Promise<T | unknown> => {
        let r: { v: unknown } | undefined;
        p.then(
          (v) => (r = { v }),
          (e: unknown) => (r = { v: e }),
        );
        await sim.runUntil(() => r !== undefined, 60_000);
        return r!.v;
      };
      const now = sim.clock('n1').now();
      const sibling = {
        version: n1.resolve(ConflictResolverToken).stamp('n1', undefined, [], now),
        value: Buffer.from('v'),
        writtenAt: now,
      };
      const store = (payload: unknown) =>
        run(
          n1
            .resolve(PeerRpcToken)
            .call('n2', HINT_MESSAGE.store, payload as never, { replySchema: hintSchemas.storeResult, replyType: HINT_REPLY.store }),
        );
      const wire = toWireSibling(sibling);
      expect(await store({ target: 'n3', key: 'k'.repeat(2000), siblings: [wire] })).toMatchObject({ code: 'INVALID_KEY' });
      expect(await store({ target: 'n3', key: 'k', siblings: [{ ...wire, version: Buffer.from('bad') }] })).toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      expect(await store({ target: 'n 3', key: 'k', siblings: [wire] })).toMatchObject({ code: 'PROTOCOL_ERROR' });
      expect(n2.resolve(HintStoreToken).stats().pending).toEqual({});
      expect(await store({ target: 'n3', key: 'k', siblings: [wire] })).toEqual({ stored: true });
      const [hint] = await n2.resolve(HintStoreToken).pending('n3', 10);
      expect(hint).toMatchObject({ target: 'n3', key: 'k', siblings: [{ value: Buffer.from('v'), writtenAt: now }] });
      expect(await store({ target: 'n3', key: 'k2', siblings: [wire] })).toMatchObject({
        code: 'UNAVAILABLE',
        details: { overloaded: true, applied: false, dropped: 'count' },
      });
      expect(n2.resolve(HintStoreToken).stats()).toMatchObject({ pending: { n3: 1 }, dropped: 1 });
      // hints.stats: the same stats, read by a peer; anything but {} is refused.
      const stats = (payload: unknown) =>
        run(
          n1
            .resolve(PeerRpcToken)
            .call('n2', HINT_STATS_MESSAGE, payload as never, { replySchema: hintStatsSchemas.reply, replyType: HINT_STATS_REPLY }),
        );
      expect(await stats({})).toEqual({ pending: { n3: 1 }, dropped: 1, delivered: 0 });
      expect(await stats({ target: 'n3' })).toMatchObject({ code: 'PROTOCOL_ERROR' });
      expect(await stats({})).toEqual({ pending: { n3: 1 }, dropped: 1, delivered: 0 });
      for (const node of nodes) await node.stop();
    });
  });
});
