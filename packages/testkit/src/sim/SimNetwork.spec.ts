import { describe, expect, it } from '@jest/globals';
import { DynamisError, type Envelope, type NodeId } from '@dynamis/core';
import type { LinkFaults } from './LinkFaults';
import { Simulation } from './Simulation';

const PING: Envelope = { type: 'ping', payload: null };

/** A started 3-node simulation whose handlers log what they receive and echo it. */
async function cluster(network?: LinkFaults, seed = 1) {
  const sim = new Simulation({ seed, nodes: ['n1', 'n2', 'n3'], ...(network === undefined ? {} : { network }) });
  const received: Array<{ at: NodeId; from: NodeId; payload: unknown; t: number }> = [];
  for (const id of sim.nodeIds()) {
    const t = sim.transport(id);
    t.setHandler(async (from, msg) => {
      received.push({ at: id, from, payload: msg.payload, t: sim.now() });
      return { type: 'pong', payload: msg.payload };
    });
    await t.start();
  }
  return { sim, received, t: (id: NodeId) => sim.transport(id) };
}

async function outcome(sim: Simulation, p: Promise<unknown>, ms = 10_000): Promise<string> {
  let result: string | undefined;
  p.then(
    () => (result = 'ok'),
    (err: unknown) => (result = err instanceof DynamisError ? err.code : String(err)),
  );
  await sim.runUntil(() => result !== undefined, ms);
  return result as string;
}

describe('SimNetwork', () => {
  it('delivers a request and its reply after the link delay, and traces both', async () => {
    const { sim, t, received } = await cluster({ minDelayMs: 7, maxDelayMs: 7 });
    const p = t('n1').request('n2', { type: 'ping', payload: 5 }, { timeoutMs: 100 });
    await sim.runFor(20);
    await expect(p).resolves.toEqual({ type: 'pong', payload: 5 });
    expect(received).toEqual([{ at: 'n2', from: 'n1', payload: 5, t: 7 }]);
    expect(sim.trace).toEqual([
      { t: 0, ev: 'send', from: 'n1', to: 'n2', type: 'ping', id: 1 },
      { t: 7, ev: 'deliver', from: 'n1', to: 'n2', type: 'ping', id: 1 },
      { t: 7, ev: 'reply', from: 'n2', to: 'n1', type: 'ping', id: 1 },
      { t: 14, ev: 'deliver', from: 'n2', to: 'n1', type: 'ping', id: 1 },
    ]);
    expect(sim.traceDigest()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('times out a request whose messages are dropped', async () => {
    const { sim, t, received } = await cluster({ dropProbability: 1 });
    const p = t('n1').request('n2', PING, { timeoutMs: 250 });
    expect(await outcome(sim, p)).toBe('TIMEOUT');
    expect(sim.now()).toBe(250);
    expect(received).toEqual([]);
    expect(sim.trace.map((r) => r.ev)).toEqual(['send', 'drop', 'timeout']);
  });

  it('drops replies too: the handler runs but the requester times out', async () => {
    const { sim, t, received } = await cluster();
    sim.network.setLinkFaults('n2', 'n1', { dropProbability: 1 });
    expect(await outcome(sim, t('n1').request('n2', PING, { timeoutMs: 100 }))).toBe('TIMEOUT');
    expect(received).toHaveLength(1);
    expect(await outcome(sim, t('n1').request('n3', PING, { timeoutMs: 100 }))).toBe('ok');
    expect(await outcome(sim, t('n2').request('n3', PING, { timeoutMs: 100 }))).toBe('ok');
  });

  it('duplicates messages: the handler runs twice, the request resolves once', async () => {
    const { sim, t, received } = await cluster({ duplicateProbability: 1 });
    expect(await outcome(sim, t('n1').request('n2', PING, { timeoutMs: 100 }))).toBe('ok');
    await sim.runFor(100);
    expect(received.map((r) => r.at)).toEqual(['n2', 'n2']);
    expect(sim.trace.filter((r) => r.ev === 'dup')).toHaveLength(3); // request, and each of the two replies
    t('n1').send('n3', { type: 'note', payload: 1 });
    await sim.runFor(100);
    expect(received.filter((r) => r.at === 'n3')).toHaveLength(2);
  });

  it('keeps each link FIFO under delay jitter, and reorders only when told to', async () => {
    const sendMany = async (faults: LinkFaults) => {
      const { sim, t, received } = await cluster(faults, 3);
      for (let i = 0; i < 200; i++) t('n1').send('n2', { type: 'seq', payload: i });
      await sim.runFor(1000);
      return received.map((r) => r.payload as number);
    };
    const inOrder = Array.from({ length: 200 }, (_, i) => i);
    expect(await sendMany({ minDelayMs: 1, maxDelayMs: 50 })).toEqual(inOrder);
    const reordered = await sendMany({ minDelayMs: 0, maxDelayMs: 0, reorderProbability: 0.3, reorderMaxExtraMs: 10 });
    expect(reordered).not.toEqual(inOrder);
    expect([...reordered].sort((x, y) => x - y)).toEqual(inOrder);
  });

  it('partitions the network and heals it', async () => {
    const { sim, t } = await cluster();
    sim.network.partition([['n1'], ['n2', 'n3']]);
    expect(await outcome(sim, t('n1').request('n2', PING, { timeoutMs: 100 }))).toBe('TIMEOUT');
    expect(await outcome(sim, t('n3').request('n1', PING, { timeoutMs: 100 }))).toBe('TIMEOUT');
    expect(await outcome(sim, t('n2').request('n3', PING, { timeoutMs: 100 }))).toBe('ok');
    expect(await outcome(sim, t('n1').request('n1', PING, { timeoutMs: 100 }))).toBe('ok');
    sim.network.heal();
    expect(await outcome(sim, t('n1').request('n2', PING, { timeoutMs: 100 }))).toBe('ok');
  });

  it('drops messages already in flight when a partition starts, and cuts nodes named in no group', async () => {
    const { sim, t, received } = await cluster({ minDelayMs: 10, maxDelayMs: 10 });
    t('n1').send('n2', PING);
    await sim.runFor(5);
    sim.network.partition([['n1'], ['n2']]);
    await sim.runFor(20);
    expect(received).toEqual([]);
    expect(sim.trace.map((r) => r.ev)).toEqual(['send', 'drop']);
    expect(sim.network.connected('n1', 'n3')).toBe(false);
    expect(sim.network.connected('n3', 'n3')).toBe(true);
  });

  it('isolates one node', async () => {
    const { sim, t } = await cluster();
    sim.network.isolate('n3');
    expect(await outcome(sim, t('n1').request('n3', PING, { timeoutMs: 50 }))).toBe('TIMEOUT');
    expect(await outcome(sim, t('n1').request('n2', PING, { timeoutMs: 50 }))).toBe('ok');
    sim.network.heal();
    expect(await outcome(sim, t('n1').request('n3', PING, { timeoutMs: 50 }))).toBe('ok');
  });

  it('cuts single links (both directions) on top of partitions: a bridge, healed with the rest', async () => {
    const { sim, t } = await cluster();
    sim.network.cut('n1', 'n3');
    expect(await outcome(sim, t('n1').request('n3', PING, { timeoutMs: 50 }))).toBe('TIMEOUT');
    expect(await outcome(sim, t('n3').request('n1', PING, { timeoutMs: 50 }))).toBe('TIMEOUT');
    expect(await outcome(sim, t('n1').request('n2', PING, { timeoutMs: 50 }))).toBe('ok');
    expect(await outcome(sim, t('n2').request('n3', PING, { timeoutMs: 50 }))).toBe('ok');
    expect(() => sim.network.cut('n2', 'n2')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    sim.network.heal();
    expect(await outcome(sim, t('n1').request('n3', PING, { timeoutMs: 50 }))).toBe('ok');
  });

  it('crashes a node: its pending requests fail UNAVAILABLE, messages to it are lost; restart brings it back', async () => {
    const { sim, t, received } = await cluster({ minDelayMs: 10, maxDelayMs: 10 });
    t('n1').setHandler(() => new Promise<never>(() => undefined));
    const pendingOfN2 = t('n2').request('n1', PING, { timeoutMs: 1000 });
    t('n3').send('n2', { type: 'in-flight', payload: 1 });
    await sim.runFor(5);
    sim.network.crash('n2');
    expect(await outcome(sim, pendingOfN2)).toBe('UNAVAILABLE');
    expect(await outcome(sim, t('n2').request('n3', PING, { timeoutMs: 100 }))).toBe('UNAVAILABLE');
    expect(await outcome(sim, t('n3').request('n2', PING, { timeoutMs: 100 }))).toBe('TIMEOUT');
    t('n3').send('n2', { type: 'in-flight', payload: 2 });
    await sim.runFor(5);
    sim.network.restart('n2');
    await sim.runFor(50);
    expect(received.filter((r) => r.at === 'n2')).toEqual([]);
    expect(await outcome(sim, t('n3').request('n2', PING, { timeoutMs: 100 }))).toBe('ok');
    expect(await outcome(sim, t('n2').request('n3', PING, { timeoutMs: 100 }))).toBe('ok');
  });

  it('lets a crashed responder send no reply', async () => {
    const { sim, t } = await cluster();
    let release: () => void = () => undefined;
    t('n2').setHandler(async () => {
      await new Promise<void>((r) => (release = r));
      return { type: 'late', payload: null };
    });
    const p = t('n1').request('n2', PING, { timeoutMs: 200 });
    await sim.runFor(20);
    sim.network.crash('n2');
    sim.network.restart('n2');
    release();
    expect(await outcome(sim, p)).toBe('TIMEOUT');
  });

  it('applies per-link faults over network-wide ones', async () => {
    const { sim } = await cluster({ minDelayMs: 2, maxDelayMs: 4 });
    sim.network.setLinkFaults('n1', 'n2', { minDelayMs: 30 });
    expect(sim.network.faultsOf('n1', 'n2')).toMatchObject({ minDelayMs: 30, maxDelayMs: 30 });
    expect(sim.network.faultsOf('n2', 'n1')).toMatchObject({ minDelayMs: 2, maxDelayMs: 4 });
    sim.network.setLinkFaults('n1', 'n2', undefined);
    expect(sim.network.faultsOf('n1', 'n2')).toMatchObject({ minDelayMs: 2, maxDelayMs: 4 });
    expect(() => sim.network.setFaults({ dropProbability: 2 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => sim.network.setFaults({ minDelayMs: 5, maxDelayMs: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
