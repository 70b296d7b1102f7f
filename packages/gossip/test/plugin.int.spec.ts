import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, FailureDetectorToken, MembershipToken } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { runSimulation, simulatedEnvironment } from '@dynamis/testkit';
import { gossipMembership, PROBE, SYNC } from '../src';

describe('@dynamis/gossip plugin', () => {
  it('refuses unknown options and inconsistent ones with INVALID_CONFIG naming the key', () => {
    expect(() => gossipMembership({ gossipEveryMs: 5 } as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => gossipMembership({ probeIntervalMs: 300, probeTimeoutMs: 101 })).toThrow(
      /probeTimeoutMs: must be at most probeIntervalMs \/ 3/,
    );
    expect(() => gossipMembership({ maxMembers: 10, maxEntriesPerMessage: 11 })).toThrow(/maxEntriesPerMessage/);
    expect(() => gossipMembership({ maxEntriesPerMessage: 4, maxPiggyback: 5 })).toThrow(/maxPiggyback/);
    expect(() => gossipMembership({ fanout: 0 })).toThrow(/fanout/);
    expect(() => gossipMembership({ maxPiggyback: 1 })).toThrow(/maxPiggyback/);
    expect(() => gossipMembership({ advertise: 'no-port' })).toThrow(/advertise/);
    expect(() => gossipMembership({ zone: 'a b' })).toThrow(/zone/);
    expect(() => gossipMembership({ maxMembers: 10, maxLeftMembers: 10 })).toThrow(/maxLeftMembers: must be below maxMembers/);
    expect(() => gossipMembership({ maxLeftMembers: 0 })).toThrow(/maxLeftMembers/);
    expect(() => gossipMembership({ maxMembers: 10, maxEntriesPerMessage: 10, maxPiggyback: 10, maxLeftMembers: 9 })).not.toThrow();
    expect(() => gossipMembership({ weight: 8 })).toThrow(/weight: must not exceed maxAcceptedWeight/);
    expect(() => gossipMembership({ weight: 8, maxAcceptedWeight: 8 })).not.toThrow();
    expect(() => gossipMembership({ maxAcceptedWeight: 1001 })).toThrow(/maxAcceptedWeight/);
    expect(() => gossipMembership({ verifyTimeoutMs: 999 })).toThrow(/verifyTimeoutMs: must be at least probeIntervalMs/);
    expect(() => gossipMembership({ verifyConcurrency: 0 })).toThrow(/verifyConcurrency/);
  });

  it('declares its ports, the seeds it reads and its message types', () => {
    const p = gossipMembership();
    expect(p).toMatchObject({ provides: ['Membership', 'FailureDetector'], reads: ['seeds'], messages: [SYNC, PROBE] });
  });

  it('starts alone without seeds; self from advertise (else seeds, else listen), with zone and weight', async () => {
    await runSimulation({ seed: 1, nodes: ['n1'] }, async (sim) => {
      const node = await createNode({ nodeId: 'n1', seeds: ['n1@h1:1', 'n2@h2:2'], log: { level: 'silent' } }, [
        simulatedEnvironment(sim, 'n1'),
        memoryEngine(),
        lwwResolver(),
        localCoordinator(),
        gossipMembership({ zone: 'z1', weight: 2 }),
      ]);
      await node.start();
      const m = node.resolve(MembershipToken);
      expect(m.members()).toEqual([
        { id: 'n1', address: 'h1:1', status: 'up', zone: 'z1', weight: 2, joinedAt: sim.clock('n1').now() }, // first start: stamped now
        { id: 'n2', address: 'h2:2', status: 'joining' },
      ]);
      expect(m.isAlive('n2')).toBe(false);
      expect(node.resolve(FailureDetectorToken).suspicion('n2')).toBe(Infinity);
      await expect(m.join(['bad'])).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
      const joining = m.join(['n3@h3:3']).catch((e: unknown) => e);
      await sim.runFor(1000);
      expect(await joining).toMatchObject({ code: 'UNAVAILABLE' });
      expect(m.member('n3')).toEqual({ id: 'n3', address: 'h3:3', status: 'joining' });
      await node.stop();
      await expect(m.leave()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    });
  });

  it('fails the start naming a malformed seeds entry', async () => {
    await runSimulation({ seed: 1, nodes: ['n1'] }, async (sim) => {
      const node = await createNode({ nodeId: 'n1', seeds: ['n2@h2:2', 'h3:3'], log: { level: 'silent' } }, [
        simulatedEnvironment(sim, 'n1'),
        memoryEngine(),
        lwwResolver(),
        localCoordinator(),
        gossipMembership({ advertise: 'me:9' }),
      ]);
      const err = (await node.start().catch((e: unknown) => e)) as Error & { cause?: unknown };
      expect(err).toMatchObject({ code: 'PLUGIN_FAILED', details: { plugin: '@dynamis/gossip' } });
      expect(err.cause).toMatchObject({ code: 'INVALID_CONFIG', details: { problems: [{ path: 'seeds.1' }] } });
    });
  });
});
