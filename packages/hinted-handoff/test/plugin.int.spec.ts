import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { createNode, HintStoreToken } from '@dynamis/core';
import { localCoordinator } from '@dynamis/coordinator-local';
import { memoryEngine } from '@dynamis/engine-memory';
import { runSimulation, simulatedEnvironment } from '@dynamis/testkit';
import { EngineHintStore, hintedHandoff } from '../src';
import { FixedMembership, fixedMembership } from './FixedMembership';

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
