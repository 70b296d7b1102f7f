import { describe, expect, it } from '@jest/globals';
import { Simulation } from './Simulation';

const PING = { type: 'ping', payload: null };

async function paused() {
  const sim = new Simulation({ seed: 7, network: { minDelayMs: 2, maxDelayMs: 2 } });
  const served: string[] = [];
  for (const id of sim.nodeIds()) {
    sim.transport(id).setHandler(async (from) => {
      served.push(`${id}<${from}@${sim.now()}`);
      return { type: 'pong', payload: id };
    });
    await sim.transport(id).start();
  }
  return { sim, served };
}

describe('Simulation.pauseNode / resumeNode (a frozen node, as SIGSTOP / SIGCONT)', () => {
  it('holds the timers of a paused node until it resumes, then fires them in order; time goes on', async () => {
    const { sim } = await paused();
    const fired: string[] = [];
    sim.clock('n1').setTimer(10, () => fired.push(`a@${sim.now()}`));
    sim.clock('n1').setTimer(20, () => fired.push(`b@${sim.now()}`));
    sim.clock('n2').setTimer(15, () => fired.push(`other@${sim.now()}`));
    sim.pauseNode('n1');
    expect(sim.isPaused('n1')).toBe(true);
    await sim.runFor(100);
    expect(fired).toEqual(['other@15']);
    const wall = sim.clock('n1').now();
    sim.resumeNode('n1');
    await sim.runFor(1);
    expect(fired).toEqual(['other@15', 'a@100', 'b@100']);
    expect(sim.clock('n1').now()).toBeGreaterThan(wall - 1);
    expect(sim.isPaused('n1')).toBe(false);
  });

  it('holds what reaches a paused node: peers time out, the node serves the held requests on resume', async () => {
    const { sim, served } = await paused();
    sim.pauseNode('n2');
    const r = sim.transport('n1').request('n2', PING, { timeoutMs: 50 });
    await expect(sim.settle(r)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(served).toEqual([]);
    sim.resumeNode('n2');
    await sim.runFor(10);
    expect(served).toEqual(['n2<n1@50']);
  });

  it("holds a paused node's own request timeouts and the replies it gets, handling them in order on resume", async () => {
    const { sim } = await paused();
    const outcomes: string[] = [];
    sim
      .transport('n1')
      .request('n2', PING, { timeoutMs: 100 })
      .then(
        () => outcomes.push(`ok@${sim.now()}`),
        (e: { code: string }) => outcomes.push(`${e.code}@${sim.now()}`),
      );
    sim.pauseNode('n1');
    await sim.runFor(500);
    expect(outcomes).toEqual([]);
    sim.resumeNode('n1');
    await sim.runFor(1);
    expect(outcomes).toEqual(['ok@500']); // the reply arrived (held) before the timeout came due
  });

  it('refuses to pause a crashed or paused node and to resume a running one; a crash ends a pause and drops what was held', async () => {
    const { sim, served } = await paused();
    expect(() => sim.resumeNode('n1')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    sim.pauseNode('n1');
    expect(() => sim.pauseNode('n1')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    void sim
      .transport('n2')
      .request('n1', PING, { timeoutMs: 50 })
      .catch(() => undefined);
    await sim.runFor(10);
    sim.crashNode('n1');
    expect(sim.isPaused('n1')).toBe(false);
    expect(() => sim.pauseNode('n1')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await sim.restartNode('n1', () => undefined);
    await sim.runFor(100);
    expect(served).toEqual([]);
  });
});
