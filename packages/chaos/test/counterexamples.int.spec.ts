import { Simulation } from '@dynamis/testkit/sim';
import { chaosCluster, checkDurability, History, runChaos } from '../src';

/**
 * What the store does NOT guarantee (docs/GUARANTEES.md), each shown by a
 * scenario in which an acknowledged write is lost and the durability checker
 * says so — and, where a setting restores the guarantee, the same scenario
 * with it, where nothing is lost. Also: a seed replays exactly.
 */
describe('counterexamples and replay', () => {
  it('replays a seed exactly: same trace digest, same history', async () => {
    const options = { seed: 424242, nemesis: 'mixed', resolver: 'vclock', engine: 'memory', workload: { opsPerClient: 6 } } as const;
    const a = await runChaos(options);
    const b = await runChaos(options);
    expect(b.traceDigest).toBe(a.traceDigest);
    expect(b.history).toEqual(a.history);
    const other = await runChaos({ ...options, seed: 424243 });
    expect(other.traceDigest).not.toBe(a.traceDigest);
  });

  it('LWW, two writers and clock skew: the later acknowledged write loses to an earlier one from a clock ahead', async () => {
    const sim = new Simulation({ seed: 1, nodes: ['n1', 'n2', 'n3', 'n4', 'n5'] });
    const c = await chaosCluster(sim, { resolver: 'lww', engine: 'memory' });
    await sim.runUntil(c.allSeeAllUp, 60_000);
    const key = 'contested';
    const [p1, p2] = c.replicasOf(key, 'n1');
    sim.clock(p1!).setSkew(1500); // within conflict-lww's maxSkewMs: accepted everywhere
    const history = new History(() => sim.now());
    sim.network.isolate(p2!); // p2 misses the first write (W=2 is met by the two others)
    history.invoke(1, 'put', key, 'from-fast-clock', p1!);
    await sim.settle(c.node(p1!).store.put(key, Buffer.from('from-fast-clock'), {}));
    history.complete(1, 'ok');
    sim.network.heal();
    history.invoke(2, 'put', key, 'later-blind-write', p2!); // a second writer, no context: concurrent for LWW
    await sim.settle(c.node(p2!).store.put(key, Buffer.from('later-blind-write'), {}));
    history.complete(2, 'ok');
    const read = await sim.settle(c.node('n3').store.get(key, {}));
    const values = read.siblings.map((s) => Buffer.from(s.value).toString());
    expect(values).toEqual(['from-fast-clock']);
    const verdict = checkDurability(history.ops, new Map([[key, values]]));
    expect(verdict.anomalies.map((a) => a.kind)).toEqual(['lost-write']);
    await c.stop();
  });

  it.each([
    ['none', true],
    ['always', false],
  ] as const)("W=1 and a power loss of the only node that acknowledged: fsync '%s' loses the write: %s", async (fsync, lost) => {
    const sim = new Simulation({ seed: 2, nodes: ['n1', 'n2', 'n3', 'n4', 'n5'], disk: 'faulty' });
    const c = await chaosCluster(sim, { resolver: 'lww', engine: 'lsm', fsync });
    await sim.runUntil(c.allSeeAllUp, 60_000);
    const key = 'w1-key';
    const [primary] = c.replicasOf(key, 'n1');
    sim.network.isolate(primary!); // the other replicas never hear of the write
    const history = new History(() => sim.now());
    history.invoke(1, 'put', key, 'acked-by-one', primary!);
    await sim.settle(c.node(primary!).store.put(key, Buffer.from('acked-by-one'), { consistency: 'one' }));
    history.complete(1, 'ok');
    c.crash(primary!); // a power loss: what was not fsynced is gone
    sim.network.heal();
    await sim.settle(c.restart(primary!));
    await sim.runUntil(c.allSeeAllUp, 60_000);
    await sim.runFor(5000); // anti-entropy and read repair have every chance
    const read = await sim.settle(c.node(primary!).store.get(key, { consistency: 'all' }));
    const values = read.siblings.map((s) => Buffer.from(s.value).toString());
    expect(values).toEqual(lost ? [] : ['acked-by-one']);
    expect(checkDurability(history.ops, new Map([[key, values]])).valid).toBe(!lost);
    await c.stop();
  });
});
