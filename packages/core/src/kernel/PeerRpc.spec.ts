import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { parseConfig } from '../config/parseConfig';
import { ManualClock } from '../env/ManualClock';
import { DynamisError } from '../errors/DynamisError';
import type { Envelope, RequestOptions, Transport } from '../ports/Transport';
import { MessageRouter } from './MessageRouter';
import { PeerRpc } from './PeerRpc';

const echoSchema = z.object({ bytes: z.instanceof(Uint8Array), n: z.number() });
const replySchema = z.object({ bytes: z.instanceof(Uint8Array), n: z.number() });

/** Records what a remote call hands the transport; answers with `answer`. */
class RecordingTransport {
  readonly self = 'me';
  readonly sent: Array<[string, Envelope, RequestOptions]> = [];
  constructor(private readonly answer: (msg: Envelope) => Promise<Envelope>) {}
  request(to: string, msg: Envelope, options: RequestOptions): Promise<Envelope> {
    this.sent.push([to, msg, options]);
    return this.answer(msg);
  }
}

function setup(transport?: RecordingTransport): { rpc: PeerRpc; router: MessageRouter; clock: ManualClock; kept: Uint8Array[] } {
  const router = new MessageRouter();
  const clock = new ManualClock();
  const kept: Uint8Array[] = [];
  const config = parseConfig({ nodeId: 'me', timeouts: { requestMs: 1000 } });
  router.register('t.echo', echoSchema, async (_from, p) => {
    kept.push(p.bytes);
    return { type: 't.echo.ok', payload: { bytes: p.bytes, n: p.n + 1 } };
  });
  router.register('t.none', z.null(), async () => undefined);
  router.register('t.fail', z.null(), async () => {
    throw new DynamisError('CONFLICT', 'stale', { details: { key: 'k' } });
  });
  router.register('t.crash', z.null(), async () => {
    throw new TypeError('boom');
  });
  router.register('t.hang', z.null(), () => new Promise<never>(() => undefined));
  router.register('t.bad', z.null(), async () => ({ type: 't.bad.ok', payload: { n: 'not a number' } }));
  router.register('t.fn', z.null(), async () => ({ type: 't.fn.ok', payload: { f: () => 1 } }));
  return { rpc: new PeerRpc(config, router, clock, transport as unknown as Transport | undefined), router, clock, kept };
}

describe('PeerRpc to this node', () => {
  it('dispatches locally and copies the request and the reply as the wire does', async () => {
    const { rpc, kept } = setup();
    const bytes = Buffer.from([1, 2, 3]);
    const reply = await rpc.call('me', 't.echo', { bytes, n: 1 }, { replySchema, replyType: 't.echo.ok' });
    expect(reply.n).toBe(2);
    expect(Array.from(reply.bytes)).toEqual([1, 2, 3]);
    // The handler saw a private copy (a plain Uint8Array, not the caller's Buffer); the caller got another one.
    expect(kept[0]).not.toBe(bytes);
    expect(Buffer.isBuffer(kept[0])).toBe(false);
    expect(reply.bytes).not.toBe(kept[0]);
    bytes[0] = 9;
    expect(kept[0]![0]).toBe(1);
  });

  it('checks the request against the type schema (PROTOCOL_ERROR) and refuses a payload the wire cannot carry (INVALID_ARGUMENT)', async () => {
    const { rpc } = setup();
    await expect(rpc.call('me', 't.echo', { bytes: 'x', n: 1 }, { replySchema })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    await expect(rpc.call('me', 't.echo', { bytes: new Uint8Array(1), n: 1, d: new Date() }, { replySchema })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(rpc.call('me', 'nobody.knows', null, { replySchema })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
  });

  it('passes errors through the wire error form: same code, message, details; anything else UNAVAILABLE', async () => {
    const { rpc } = setup();
    const err = await rpc.call('me', 't.fail', null, { replySchema }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DynamisError);
    expect(err).toMatchObject({ code: 'CONFLICT', message: 'stale', details: { key: 'k' } });
    const crash = (await rpc.call('me', 't.crash', null, { replySchema }).catch((e: unknown) => e)) as DynamisError;
    expect(crash).toMatchObject({ code: 'UNAVAILABLE' });
    expect(crash.message).toMatch(/handler for 't.crash' on me failed: boom/);
    expect(crash.stack).not.toMatch(/PeerRpc.spec/); // a fresh error, as from the wire, not the handler's TypeError
  });

  it('a handler without a reply, a reply the schema refuses, an unexpected reply type, a reply the wire cannot carry', async () => {
    const { rpc } = setup();
    await expect(rpc.call('me', 't.none', null, { replySchema })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    await expect(rpc.call('me', 't.bad', null, { replySchema })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    await expect(rpc.call('me', 't.echo', { bytes: new Uint8Array(0), n: 0 }, { replySchema, replyType: 'other' })).rejects.toMatchObject({
      code: 'PROTOCOL_ERROR',
    });
    await expect(rpc.call('me', 't.fn', null, { replySchema: z.unknown() })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('times out on the Clock, not before', async () => {
    const { rpc, clock } = setup();
    let outcome: unknown;
    rpc.call('me', 't.hang', null, { replySchema, timeoutMs: 300 }).catch((e: unknown) => (outcome = e));
    await clock.advance(299);
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    expect(outcome).toMatchObject({ code: 'TIMEOUT', details: { peer: 'me', type: 't.hang', ms: 300 } });
    // the default deadline is timeouts.requestMs
    outcome = undefined;
    rpc.call('me', 't.hang', null, { replySchema }).catch((e: unknown) => (outcome = e));
    await clock.advance(999);
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    expect(outcome).toMatchObject({ code: 'TIMEOUT' });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses a bad timeout', async () => {
    const { rpc } = setup();
    await expect(rpc.call('me', 't.echo', null, { replySchema, timeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('PeerRpc to another node', () => {
  it('hands the envelope to the transport (which encodes it) with the timeout, checked, and validates the reply', async () => {
    const t = new RecordingTransport(async (msg) => ({ type: `${msg.type}.ok`, payload: { bytes: new Uint8Array(2), n: 7 } }));
    const { rpc, clock } = setup(t);
    const payload = { bytes: new Uint8Array(1), n: 1 };
    await expect(rpc.call('peer', 't.x', payload, { replySchema, timeoutMs: 50 })).resolves.toMatchObject({ n: 7 });
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]![0]).toBe('peer');
    expect(t.sent[0]![1]).toEqual({ type: 't.x', payload });
    expect(t.sent[0]![2]).toEqual({ timeoutMs: 50 });
    expect(clock.pendingTimers()).toBe(0);
    // What the wire cannot carry never reaches the transport.
    await expect(rpc.call('peer', 't.x', { d: new Date() }, { replySchema })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(t.sent).toHaveLength(1);
  });

  it('validates a remote reply and keeps a remote error', async () => {
    const bad = setup(new RecordingTransport(async () => ({ type: 'x', payload: { n: 'no' } })));
    await expect(bad.rpc.call('peer', 't.x', null, { replySchema })).rejects.toMatchObject({
      code: 'PROTOCOL_ERROR',
      details: { peer: 'peer' },
    });
    const failing = setup(
      new RecordingTransport(() =>
        Promise.reject(new DynamisError('UNAVAILABLE', 'gone', { details: { notStarted: true, applied: false } })),
      ),
    );
    await expect(failing.rpc.call('peer', 't.x', null, { replySchema })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { notStarted: true },
    });
  });

  it('times out on the Clock even if the transport never settles', async () => {
    const { rpc, clock } = setup(new RecordingTransport(() => new Promise<never>(() => undefined)));
    let outcome: unknown;
    rpc.call('peer', 't.x', null, { replySchema, timeoutMs: 10 }).catch((e: unknown) => (outcome = e));
    await clock.advance(10);
    expect(outcome).toMatchObject({ code: 'TIMEOUT' });
  });

  it('without a Transport a call to another node is UNAVAILABLE, never sent', async () => {
    const { rpc } = setup();
    await expect(rpc.call('peer', 't.echo', null, { replySchema })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { sent: false },
    });
  });
});
