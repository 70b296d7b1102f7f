import { afterEach, describe, expect, it } from '@jest/globals';
import { isDynamisError, type Logger } from '@dynamis/core';
import { WsTransport } from '../src/WsTransport';
import { clock, echo, env, link, portOf, quietLogger, random, SECRET, socketsOf, startNode, until } from './helpers';

describe('WsTransport connection management', () => {
  const nodes: WsTransport[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  async function node(
    id: string,
    options: Parameters<typeof startNode>[1] = {},
    handler?: Parameters<typeof startNode>[2],
  ): Promise<WsTransport> {
    const t = await startNode(id, options, handler);
    nodes.push(t);
    return t;
  }

  it('reconnects after the peer restarts on the same port', async () => {
    const a = await node('node-a', { reconnect: { initialMs: 20, maxMs: 200 } });
    const b = await node('node-b');
    link(a, b);
    expect((await a.request('node-b', env('ping'), { timeoutMs: 2000 })).type).toBe('ping.reply');
    const port = portOf(b);
    await b.stop();
    await until(() => a.stats().peers['node-b']?.connected === false);
    // While b is down: fast failures, never a hang.
    const down = await a.request('node-b', env('ping'), { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(isDynamisError(down, 'UNAVAILABLE') || isDynamisError(down, 'TIMEOUT')).toBe(true);
    const b2 = await node('node-b', { port });
    b2.setPeerAddress('node-a', a.address()!);
    await until(() => a.stats().peers['node-b']?.connected === true);
    expect((await a.request('node-b', env('again'), { timeoutMs: 2000 })).type).toBe('again.reply');
    expect(a.stats().reconnects).toBeGreaterThanOrEqual(1);
    expect(a.stats().reconnectAttempts).toBeGreaterThanOrEqual(1);
  });

  it('detects a dead peer by heartbeat and fails its requests UNAVAILABLE', async () => {
    const a = await node('node-a', { heartbeatIntervalMs: 100, reconnect: { initialMs: 10_000, maxMs: 10_000 } });
    const b = await node('node-b', {}, () => new Promise(() => undefined));
    link(a, b);
    a.send('node-b', env('hello'));
    await until(() => a.stats().connections === 1 && socketsOf(b).length === 1);
    await until(() => a.stats().peers['node-b']?.rttMs !== undefined);
    const pending = a.request('node-b', env('never'), { timeoutMs: 10_000 }).catch((e: unknown) => e);
    await until(() => b.stats().messagesIn >= 3);
    for (const s of socketsOf(b)) s.pause(); // b stops reading: no more pongs
    // UNAVAILABLE (not TIMEOUT): the heartbeat, not the request's 10 s timeout, ended it.
    expect(await pending).toMatchObject({ code: 'UNAVAILABLE' });
    expect([a.stats().inFlight, a.stats().timeouts]).toEqual([0, 0]);
  });

  it('keeps one connection when both sides dial each other at once', async () => {
    const superseded: unknown[] = [];
    const recording: Logger = {
      ...quietLogger,
      debug: (msg, fields) => void (msg.includes('superseded') && superseded.push(fields)),
      child: () => recording,
    };
    const a = new WsTransport('node-a', { secret: SECRET, port: 0, heartbeatIntervalMs: 100 }, clock, random, recording);
    const b = new WsTransport('node-b', { secret: SECRET, port: 0, heartbeatIntervalMs: 100 }, clock, random, recording);
    nodes.push(a, b);
    a.setHandler(echo);
    b.setHandler(echo);
    await Promise.all([a.start(), b.start()]);
    link(a, b);
    const [x, y] = await Promise.all([
      a.request('node-b', env('x'), { timeoutMs: 2000 }),
      b.request('node-a', env('y'), { timeoutMs: 2000 }),
    ]);
    expect([x.type, y.type]).toEqual(['x.reply', 'y.reply']);
    await until(() => a.stats().connections === 1 && b.stats().connections === 1);
    for (let i = 0; i < 20; i++) {
      await Promise.all([a.request('node-b', env('m', i), { timeoutMs: 2000 }), b.request('node-a', env('n', i), { timeoutMs: 2000 })]);
    }
    expect(a.stats().connections).toBe(1);
    expect(a.stats().errors + b.stats().errors).toBe(0);
    // Both sides saw the same loser: b's outbound (a < b, so a's outbound wins).
    expect(superseded).toEqual(
      expect.arrayContaining([
        { peer: 'node-b', outbound: false },
        { peer: 'node-a', outbound: true },
      ]),
    );
  });

  it('closes an idle connection and dials again on demand, without counting a loss', async () => {
    const a = await node('node-a', { idleTimeoutMs: 200 });
    const b = await node('node-b', { idleTimeoutMs: 60_000 });
    link(a, b);
    await a.request('node-b', env('x'), { timeoutMs: 2000 });
    await until(() => a.stats().connections === 0 && b.stats().connections === 0);
    expect((await a.request('node-b', env('y'), { timeoutMs: 2000 })).type).toBe('y.reply');
    expect(a.stats().reconnectAttempts).toBe(0);
    expect(b.stats().reconnectAttempts).toBe(0);
  });

  it('fails fast while the peer is in a long reconnect backoff', async () => {
    const a = await node('node-a', { reconnect: { initialMs: 5_000, maxMs: 5_000 } });
    a.setPeerAddress('node-z', '127.0.0.1:1');
    await expect(a.request('node-z', env('x'), { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    // UNAVAILABLE, not TIMEOUT: refused at once because the next attempt is after the timeout.
    await expect(a.request('node-z', env('x'), { timeoutMs: 500 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(a.stats().timeouts).toBe(0);
  });

  it('forgetPeerAddress stops the reconnect attempts to an unreachable peer and forgets it; requests then fail UNAVAILABLE at once', async () => {
    const a = await node('node-a', { reconnect: { initialMs: 20, maxMs: 20 } });
    a.setPeerAddress('node-z', '127.0.0.1:1');
    await expect(a.request('node-z', env('x'), { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await until(() => a.stats().reconnectAttempts >= 2); // retrying, every 20 ms
    expect(a.stats().peers['node-z']).toBeDefined();
    await until(() => {
      a.forgetPeerAddress('node-z'); // again while a dial is in flight: the peer goes once that dial fails
      return a.stats().peers['node-z'] === undefined;
    });
    const err = await a.request('node-z', env('x'), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('no address') });
    a.forgetPeerAddress('node-unknown'); // no-op
    a.setPeerAddress('node-z', '127.0.0.1:1'); // learned again: dialled again
    await expect(a.request('node-z', env('x'), { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(a.stats().peers['node-z']).toBeDefined();
  });

  it('refuses a connection when all maxConnections slots are held by authenticated peers', async () => {
    const hub = await node('hub', { maxConnections: 2, reconnect: { initialMs: 60_000, maxMs: 60_000 } });
    const spokes = [await node('s1'), await node('s2'), await node('s3')];
    for (const s of spokes) s.setPeerAddress('hub', hub.address()!);
    for (const s of spokes.slice(0, 2)) expect((await s.request('hub', env('x'), { timeoutMs: 10_000 })).type).toBe('x.reply');
    await expect(spokes[2]!.request('hub', env('x'), { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(hub.stats().refusedConnections).toBe(1);
    expect(hub.stats().connections).toBe(2);
  });
});
