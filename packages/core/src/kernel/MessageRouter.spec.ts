import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { MessageRouter } from './MessageRouter';

describe('MessageRouter', () => {
  const router = new MessageRouter();
  const seen: unknown[] = [];
  router.register(
    'test.echo',
    z.object({ n: z.number().int() }),
    async (from, payload) => {
      seen.push(payload);
      return { type: 'test.echo.reply', payload: { n: payload.n + 1, from } };
    },
    'spec',
  );

  it('dispatches a valid message to its handler', async () => {
    await expect(router.dispatch('a', { type: 'test.echo', payload: { n: 1 } })).resolves.toEqual({
      type: 'test.echo.reply',
      payload: { n: 2, from: 'a' },
    });
  });

  it('rejects an unknown type with PROTOCOL_ERROR without calling any handler', async () => {
    const before = seen.length;
    await expect(router.dispatch('a', { type: 'nope', payload: {} })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(seen.length).toBe(before);
  });

  it('rejects an invalid payload with PROTOCOL_ERROR naming the problem, never passing it on', async () => {
    const before = seen.length;
    await expect(router.dispatch('a', { type: 'test.echo', payload: { n: 'x' } })).rejects.toMatchObject({
      code: 'PROTOCOL_ERROR',
      details: { problems: [expect.objectContaining({ path: 'n' })] },
    });
    expect(seen.length).toBe(before);
  });

  it('keeps node types from clients and client types from nodes', async () => {
    router.register('test.client', z.object({}), async () => ({ type: 'ok', payload: null }), 'spec', 'clients');
    await expect(router.dispatch('client:c1', { type: 'test.echo', payload: { n: 1 } })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(router.dispatch('n2', { type: 'test.client', payload: {} })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(router.dispatch('client:c1', { type: 'test.client', payload: {} })).resolves.toEqual({ type: 'ok', payload: null });
  });

  it("returns the handler's own promise (no wrapping), and turns a handler's synchronous throw into a rejection", async () => {
    const r = new MessageRouter();
    const reply = Promise.resolve({ type: 'x.reply', payload: null });
    r.register('x.same', z.null(), () => reply, 'spec');
    r.register(
      'x.throws',
      z.null(),
      () => {
        throw new Error('sync');
      },
      'spec',
    );
    expect(r.dispatch('a', { type: 'x.same', payload: null })).toBe(reply);
    let result: Promise<unknown> | undefined;
    expect(() => (result = r.dispatch('a', { type: 'x.throws', payload: null }))).not.toThrow();
    await expect(result).rejects.toThrow('sync');
  });

  it('refuses a second registration of the same type', () => {
    expect(() => router.register('test.echo', z.any(), async () => undefined, 'other')).toThrow(/already registered by spec/);
  });
});

describe('MessageRouter: declared types that are not being served', () => {
  it('answers a declared type without a handler UNAVAILABLE not applied, serves it once registered, and again after unregister', async () => {
    const router = new MessageRouter();
    router.declare(['svc.ping'], 'plugin-a');
    const refused = await router.dispatch('n2', { type: 'svc.ping', payload: null }).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'UNAVAILABLE',
      details: { type: 'svc.ping', owner: 'plugin-a', notStarted: true, applied: false },
    });
    router.register('svc.ping', z.null(), async () => ({ type: 'svc.pong', payload: null }), 'plugin-a');
    await expect(router.dispatch('n2', { type: 'svc.ping', payload: null })).resolves.toEqual({ type: 'svc.pong', payload: null });
    router.unregister('svc.ping');
    await expect(router.dispatch('n2', { type: 'svc.ping', payload: null })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { notStarted: true },
    });
    // a type nobody declared stays a protocol error
    await expect(router.dispatch('n2', { type: 'svc.other', payload: null })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
  });

  it('refuses one type declared by two owners', () => {
    const router = new MessageRouter();
    router.declare(['a.b'], 'p1');
    router.declare(['a.b'], 'p1');
    expect(() => router.declare(['c.d', 'a.b'], 'p2')).toThrow(expect.objectContaining({ code: 'INCOMPATIBLE_PLUGIN' }));
    return expect(router.dispatch('n2', { type: 'c.d', payload: null })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' }); // nothing declared
  });
});
