import { describe, expect, it } from '@jest/globals';
import { DynamisError, type NodeId } from '@dynamis/core';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import { SelectiveFanout, type ExtraAsks } from './SelectiveFanout';
import { SpeculationSweep } from './SpeculationSweep';

/** A call per node the test settles by hand, and the order nodes were called in. */
function calls() {
  const called: NodeId[] = [];
  const settle = new Map<NodeId, { ok: (v: string) => void; fail: (e: unknown) => void }>();
  const call = (node: NodeId): Promise<string> => {
    called.push(node);
    return new Promise((ok, fail) => settle.set(node, { ok, fail }));
  };
  return { called, call, ok: (n: NodeId) => settle.get(n)!.ok(`from ${n}`), fail: (n: NodeId, e: unknown) => settle.get(n)!.fail(e) };
}

function setup(targets: NodeId[], required: number, delayMs = 10) {
  const scheduler = new Scheduler();
  const sweep = new SpeculationSweep(new VirtualClock(scheduler), delayMs);
  const c = calls();
  const extra: ExtraAsks = { speculative: 0, failover: 0 };
  const skipped = [{ node: 'down1', reason: 'down (membership)' }];
  const fanout = new SelectiveFanout(() => 'read of "k"', targets, skipped, required, c.call, sweep, extra);
  const flush = () => scheduler.runFor(0);
  return { scheduler, sweep, fanout, extra, flush, ...c };
}

describe('SelectiveFanout', () => {
  it('asks only the first `required` targets, in order, and resolves with their replies', async () => {
    const t = setup(['a', 'b', 'c'], 2);
    expect(t.called).toEqual(['a', 'b']);
    t.ok('a');
    t.ok('b');
    const outcome = await t.fanout.quorum;
    expect([...outcome.answered.keys()]).toEqual(['a', 'b']);
    expect((await t.fanout.settled).answered.size).toBe(2);
    await t.scheduler.runFor(1000);
    expect(t.called).toEqual(['a', 'b']);
    expect(t.extra).toEqual({ speculative: 0, failover: 0 });
    expect(t.sweep.size).toBe(0);
  });

  it('asks the next target at once when an asked one fails, and names the failure only if the quorum fails', async () => {
    const t = setup(['a', 'b', 'c'], 2);
    t.ok('a');
    t.fail('b', new DynamisError('TIMEOUT', 'too slow'));
    await t.flush();
    expect(t.called).toEqual(['a', 'b', 'c']);
    expect(t.scheduler.now()).toBe(0);
    t.ok('c');
    expect([...(await t.fanout.quorum).answered.keys()].sort()).toEqual(['a', 'c']);
    expect(t.extra).toEqual({ speculative: 0, failover: 1 });
  });

  it('asks the next target once the delay passes without the quorum, and answers before the slow one', async () => {
    const t = setup(['a', 'b', 'c'], 2);
    t.ok('a');
    await t.scheduler.runFor(9);
    expect(t.called).toEqual(['a', 'b']);
    await t.scheduler.runFor(1);
    expect(t.called).toEqual(['a', 'b', 'c']);
    t.ok('c');
    expect([...(await t.fanout.quorum).answered.keys()]).toEqual(['a', 'c']);
    expect(t.extra).toEqual({ speculative: 1, failover: 0 });
    // settled (what read repair works from) waits for the slow call, which still counts
    let settled = false;
    void t.fanout.settled.then(() => (settled = true));
    await t.flush();
    expect(settled).toBe(false);
    t.ok('b');
    expect([...(await t.fanout.settled).answered.keys()]).toEqual(['a', 'c', 'b']);
  });

  it('a slow call that fails after the speculation does not ask again; every target failing is QUORUM_NOT_REACHED naming all', async () => {
    const t = setup(['a', 'b', 'c'], 2);
    t.ok('a');
    await t.scheduler.runFor(10);
    expect(t.called).toEqual(['a', 'b', 'c']);
    t.fail('b', new DynamisError('TIMEOUT', 'slow'));
    await t.flush();
    expect(t.called).toEqual(['a', 'b', 'c']);
    t.fail('c', new DynamisError('UNAVAILABLE', 'gone'));
    const err = await t.fanout.quorum.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUORUM_NOT_REACHED', details: { required: 2, answered: ['a'] } });
    const missing = (err as { details: { missing: { node: string; reason: string }[] } }).details.missing;
    expect(missing.map((m) => m.node).sort()).toEqual(['b', 'c', 'down1']);
    expect(missing.find((m) => m.node === 'c')!.reason).toMatch(/UNAVAILABLE/);
    expect(t.extra).toEqual({ speculative: 1, failover: 0 });
  });

  it('with fewer targets than required, rejects at once and calls nobody', async () => {
    const t = setup(['a'], 2);
    expect(t.called).toEqual([]);
    await expect(t.fanout.quorum).rejects.toMatchObject({ code: 'QUORUM_NOT_REACHED', details: { required: 2, answered: [] } });
    expect((await t.fanout.settled).missing.map((m) => m.node)).toEqual(['down1', 'a']);
  });

  it('with every target asked at first (required = targets), never speculates', async () => {
    const t = setup(['a', 'b'], 2);
    expect(t.called).toEqual(['a', 'b']);
    expect(t.sweep.size).toBe(0);
    t.ok('a');
    t.ok('b');
    await expect(t.fanout.quorum).resolves.toBeDefined();
  });

  it('speculates again after another delay when the extra one is slow too (N=5, R=3)', async () => {
    const t = setup(['a', 'b', 'c', 'd', 'e'], 3);
    t.ok('a');
    t.ok('b');
    await t.scheduler.runFor(10);
    expect(t.called).toEqual(['a', 'b', 'c', 'd']);
    await t.scheduler.runFor(10);
    expect(t.called).toEqual(['a', 'b', 'c', 'd', 'e']);
    t.ok('e');
    expect([...(await t.fanout.quorum).answered.keys()]).toEqual(['a', 'b', 'e']);
    expect(t.extra.speculative).toBe(2);
  });
});
