import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, MembershipToken, type DynamisNode, type NodeId } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { runSimulation, simulatedEnvironment, type Simulation } from '@dynamis/testkit';
import { staticMembership } from '../src';

const quiet = { level: 'silent' as const };
const OPTS = { pingIntervalMs: 100, pingTimeoutMs: 50 };

async function simNode(sim: Simulation, id: NodeId, seeds: string[], listen?: { host: string; port: number }): Promise<DynamisNode> {
  return createNode({ nodeId: id, seeds, log: quiet, ...(listen === undefined ? {} : { listen }) }, [
    simulatedEnvironment(sim, id),
    memoryEngine(),
    lwwResolver(),
    localCoordinator(),
    staticMembership(OPTS),
  ]);
}

describe('@dynamis/membership-static plugin', () => {
  it('refuses unknown options and a ping timeout not below the interval with INVALID_CONFIG naming the key', () => {
    expect(() => staticMembership({ pingEveryMs: 5 } as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => staticMembership({ pingIntervalMs: 100, pingTimeoutMs: 100 })).toThrow(/pingTimeoutMs: must be less than pingIntervalMs/);
    expect(() => staticMembership({ failuresBeforeDown: 0 })).toThrow(/failuresBeforeDown/);
  });

  it('declares that it reads seeds, so a node with it accepts them', async () => {
    expect(staticMembership().reads).toEqual(['seeds']);
    await runSimulation({ seed: 1, nodes: ['n1'] }, async (sim) => {
      const node = await simNode(sim, 'n1', ['n1@h1:1', 'n2@h2:2']);
      expect(
        node
          .resolve(MembershipToken)
          .members()
          .map((m) => `${m.id}@${m.address}`),
      ).toEqual(['n1@h1:1', 'n2@h2:2']);
    });
  });

  it('fails the start naming a malformed seeds entry (INVALID_CONFIG as the cause)', async () => {
    await runSimulation({ seed: 1, nodes: ['n1'] }, async (sim) => {
      const node = await simNode(sim, 'n1', ['n2@h2:2', 'h3:3']);
      const err = (await node.start().catch((e: unknown) => e)) as Error & { cause?: unknown };
      expect(err).toMatchObject({ code: 'PLUGIN_FAILED', details: { plugin: '@dynamis/membership-static' } });
      expect(err.message).toContain("seeds.1: 'h3:3' is not id@host:port");
      expect(err.cause).toMatchObject({ code: 'INVALID_CONFIG', details: { problems: [{ path: 'seeds.1' }] } });
    });
  });

  it('adds self from nodeId and listen when the seeds do not list it; join checks seeds against the static view', async () => {
    await runSimulation({ seed: 1, nodes: ['n1'] }, async (sim) => {
      const node = await simNode(sim, 'n1', ['n2@h2:2']); // listen: the default 127.0.0.1:7070
      const m = node.resolve(MembershipToken);
      expect(m.member('n1')).toEqual({ id: 'n1', address: '127.0.0.1:7070', status: 'up' });
      await expect(m.join(['n2@h2:2', 'n1@127.0.0.1:7070'])).resolves.toBeUndefined();
      await expect(m.join(['n9@h9:9'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(m.join(['n2@elsewhere:2'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(m.join(['nonsense'])).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    });
  });

  it('leave() marks self leaving; peers learn it from the next ping and keep it alive; self is not alive once stopped', async () => {
    await runSimulation({ seed: 3, nodes: ['n1', 'n2'] }, async (sim) => {
      const seeds = ['n1@h1:1', 'n2@h2:2'];
      const n1 = await simNode(sim, 'n1', seeds);
      const n2 = await simNode(sim, 'n2', seeds);
      await n1.start();
      await n2.start();
      const events: string[] = [];
      n1.resolve(MembershipToken).on('down', (m) => events.push(`down ${m.id}`));
      await n2.resolve(MembershipToken).leave();
      expect(n2.resolve(MembershipToken).member('n2')!.status).toBe('leaving');
      await sim.runUntil(() => n1.resolve(MembershipToken).member('n2')!.status === 'leaving', 2 * OPTS.pingIntervalMs);
      expect(n1.resolve(MembershipToken).isAlive('n2')).toBe(true);
      expect(events).toEqual([]);

      await n2.stop();
      expect(n2.resolve(MembershipToken).isAlive('n2')).toBe(false);
      await n1.stop();
    });
  });
});
