import { describe, expect, it } from '@jest/globals';
import { isDynamisError } from '@dynamis/core';
import { FaultyFileSystem } from '../fs/FaultyFileSystem';
import { SimLog } from './SimLog';
import { Simulation } from './Simulation';

const bytes = (s: string): Uint8Array => Buffer.from(s);
const text = (b: Uint8Array): string => Buffer.from(b).toString();

describe('Simulation: a node with a disk, a log, a crash and a restart', () => {
  it('crashNode cancels every timer and sleep of the node, and its dead clock fires nothing new', async () => {
    const sim = new Simulation({ seed: 1 });
    const fired: string[] = [];
    const old = sim.clock('n1');
    old.setTimer(10, () => fired.push('n1 timer'));
    void old.sleep(10).then(() => fired.push('n1 sleep'));
    sim.clock('n2').setTimer(10, () => fired.push('n2 timer'));
    expect(old.pendingTimers()).toBe(2);
    sim.crashNode('n1');
    expect(old.pendingTimers()).toBe(0);
    old.setTimer(1, () => fired.push('zombie timer'));
    await sim.runFor(100);
    expect(fired).toEqual(['n2 timer']);
    await sim.restartNode('n1', () => undefined);
    expect(sim.clock('n1')).not.toBe(old);
    sim.clock('n1').setTimer(5, () => fired.push('new n1 timer'));
    await sim.runFor(10);
    expect(fired).toEqual(['n2 timer', 'new n1 timer']);
  });

  it("'faulty' disk: a crash keeps synced bytes, drops the unsynced tail, and fences the dead incarnation's view", async () => {
    const sim = new Simulation({ seed: 2, disk: 'faulty' });
    const fs = sim.fileSystem('n1');
    fs.mkdirp('/d');
    await fs.syncDir('/');
    const f = fs.create('/d/f');
    await fs.syncDir('/d');
    f.append(bytes('synced|'));
    await f.sync();
    f.append(bytes('lost'));
    expect(sim.disk('n1')).toBeInstanceOf(FaultyFileSystem);
    sim.crashNode('n1');
    expect(() => fs.readFile('/d/f')).toThrow(/node n1 crashed/);
    expect(() => f.append(bytes('zombie'))).toThrow(/crashed/);
    await expect(f.sync()).rejects.toThrow(/crashed/);
    await sim.restartNode('n1', () => undefined);
    expect(text(sim.fileSystem('n1').readFile('/d/f'))).toBe('synced|');
    expect(sim.fileSystem('n2').exists('/d/f')).toBe(false); // each node has its own disk
  });

  it("'memory' disk (default): a crash is a process crash, written bytes survive and the lock is released", async () => {
    const sim = new Simulation({ seed: 3 });
    const fs = sim.fileSystem('n1');
    fs.lock('/LOCK');
    const f = fs.create('/f');
    f.append(bytes('kept'));
    expect(() => sim.fileSystem('n1').lock('/LOCK')).toThrow(/already held/);
    sim.crashNode('n1');
    await sim.restartNode('n1', () => undefined);
    const next = sim.fileSystem('n1');
    expect(text(next.readFile('/f'))).toBe('kept');
    const lock = next.lock('/LOCK');
    lock.release();
  });

  it('refuses a double crash, a restart of a live node and an unknown node; a failed compose leaves it crashed', async () => {
    const sim = new Simulation({ seed: 4 });
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (err) {
        return isDynamisError(err) ? err.code : 'other';
      }
      return undefined;
    };
    expect(code(() => sim.crashNode('n9'))).toBe('INVALID_ARGUMENT');
    await expect(sim.restartNode('n1', () => undefined)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    sim.crashNode('n1');
    expect(code(() => sim.crashNode('n1'))).toBe('INVALID_ARGUMENT');
    await expect(sim.restartNode('n1', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(sim.isCrashed('n1')).toBe(true);
    expect(sim.transport('n1').isLive()).toBe(false);
    expect(() => new Simulation({ seed: 1, disk: 'ssd' as 'memory' })).toThrow(/disk must be/);
  });

  it('SimLog keeps at most maxLines, counts the dropped ones, and honours the level', () => {
    const log = new SimLog('n1', () => 7, { maxLines: 2, level: 'warn' });
    log.logger.info('skipped');
    for (const msg of ['a', 'b', 'c']) log.logger.error(msg);
    expect(log.lines().map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['b', 'c']);
    expect(log.dropped).toBe(1);
    expect(() => new SimLog('n1', () => 0, { maxLines: 0 })).toThrow(/maxLines/);
  });
});
