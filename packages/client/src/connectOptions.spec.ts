import { describe, expect, it } from '@jest/globals';
import { DynamisError, type Envelope } from '@dynamis/core';
import { FakeCluster, fixedRandom, RecordingClock, writeReply } from '../test/doubles';
import { DynamisClient } from './DynamisClient';
import type { KeepAlive } from './KeepAlive';
import { notSent } from './Link';

const TOKEN = 'a-client-token-0123456789';
const A = 'ws://a:1';
const B = 'b:2';

describe('DynamisClient.connect options: node addresses', () => {
  it.each([
    ['http://a:1', /not http:\/\//],
    ['https://a:1', /not https:\/\//],
    ['wss://a', /no port/],
    ['not a url', /not a URL/],
    ['ws://a', /no port/],
    ['localhost', /no port/],
    ['ws://a:1/path', /no path/],
  ])('refuses %s with INVALID_CONFIG at construction, before dialling anything', async (address, why) => {
    const cluster = new FakeCluster();
    const err = (await DynamisClient.connect({ nodes: [A, address], token: TOKEN }, { connector: cluster.connector }).catch(
      (e: unknown) => e,
    )) as DynamisError;
    expect(err).toBeInstanceOf(DynamisError);
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.details.problems).toEqual([{ path: 'nodes.1', message: expect.stringMatching(why) }]);
    expect(cluster.connects).toEqual([]);
  });

  it('refuses a tls.ca it cannot read with INVALID_CONFIG naming it, before dialling anything', async () => {
    const err = (await DynamisClient.connect({ nodes: ['127.0.0.1:1'], token: TOKEN, tls: { ca: '/nonexistent/ca.pem' } }).catch(
      (e: unknown) => e,
    )) as DynamisError;
    expect(err).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(err.details.problems).toEqual([{ path: 'tls.ca', message: expect.stringContaining('/nonexistent/ca.pem') }]);
    const bad = (await DynamisClient.connect({ nodes: [A], token: TOKEN, tls: { ca: 'x', cert: 'y' } } as never).catch(
      (e: unknown) => e,
    )) as DynamisError;
    expect(bad).toMatchObject({ code: 'INVALID_CONFIG' }); // clients present no certificate: an unknown key
  });

  it('accepts ws://host:port, wss://host:port and bare host:port', async () => {
    const cluster = new FakeCluster();
    const client = await DynamisClient.connect(
      { nodes: [A, B, '[::1]:7070', 'ws://c:3/', 'wss://d:4'], token: TOKEN },
      { connector: cluster.connector },
    );
    expect(cluster.connects).toEqual([A]);
    await client.close();
  });
});

describe('DynamisClient errors name each node once', () => {
  it('an exhausted request lists each node once with its number of attempts, not one copy of the address per error layer', async () => {
    const cluster = new FakeCluster().on(A, () => writeReply('client.put.result'));
    const client = await DynamisClient.connect(
      { nodes: [A, B], token: TOKEN, retries: 3 },
      { connector: cluster.connector, clock: new RecordingClock(), random: fixedRandom(0.5) },
    );
    cluster.kill(A);
    cluster.kill(B);
    const err = (await client.get('k').catch((e: unknown) => e)) as DynamisError;
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toBe(
      `get 'k' failed on every node tried: ${A} (2 attempts: cannot connect: ECONNREFUSED); ${B} (2 attempts: cannot connect: ECONNREFUSED)`,
    );
    expect(err.details.attempts).toHaveLength(4);
  });

  it('keeps distinct reasons of one node', async () => {
    let n = 0;
    const cluster = new FakeCluster().on(A, (): Envelope => {
      throw n++ === 0 ? new DynamisError('TIMEOUT', 'timed out after 5 ms') : notSent(A, 'connection lost before sending');
    });
    const client = await DynamisClient.connect(
      { nodes: [A], token: TOKEN, retries: 1 },
      { connector: cluster.connector, clock: new RecordingClock(), random: fixedRandom(0.5) },
    );
    const err = (await client.get('k').catch((e: unknown) => e)) as DynamisError;
    expect(err.message).toBe(
      `get 'k' failed on every node tried: ${A} (2 attempts: timed out after 5 ms | connection lost before sending)`,
    );
  });
});

/** Counts holds; records the most held at once. */
class CountingKeepAlive implements KeepAlive {
  held = 0;
  peak = 0;
  hold(): void {
    this.peak = Math.max(this.peak, ++this.held);
  }
  release(): void {
    this.held--;
  }
}

describe('DynamisClient keeps the process alive while a request is pending', () => {
  it('holds from the first attempt until the request settles (retries and backoff included), and nothing when idle', async () => {
    const keepAlive = new CountingKeepAlive();
    const answers: Array<() => void> = [];
    const cluster = new FakeCluster().on(
      A,
      () => new Promise<Envelope>((resolve) => answers.push(() => resolve(writeReply('client.put.result')))),
    );
    const clock = new RecordingClock();
    const client = await DynamisClient.connect(
      { nodes: [A], token: TOKEN, retries: 2 },
      { connector: cluster.connector, clock, keepAlive },
    );
    expect(keepAlive).toMatchObject({ held: 0, peak: 1 });

    const pending = client.put('k', new Uint8Array(1));
    const both = client.put('k2', new Uint8Array(1));
    expect(keepAlive.held).toBe(2);
    for (let i = 0; i < 100 && answers.length < 2; i++) await Promise.resolve();
    expect(answers).toHaveLength(2);
    expect(keepAlive.held).toBe(2);
    answers[1]!();
    await both;
    expect(keepAlive.held).toBe(1);
    answers[0]!();
    await pending;
    expect(keepAlive.held).toBe(0);

    cluster.kill(A);
    await expect(client.get('k')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(clock.sleeps).toHaveLength(2);
    expect(keepAlive.held).toBe(0);
    await expect(client.get('')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    expect(keepAlive.held).toBe(0);
    await client.close();
  });
});
