import { describe, expect, it } from '@jest/globals';
import { shouldRetry } from '@dynamis/client';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  CLIENT_MESSAGE,
  createNode,
  definePlugin,
  fromWireError,
  MessageRouterToken,
  PeerRpcToken,
  toWireError,
  type DynamisError,
  type Lifecycle,
  type MessageRouter,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { Simulation, simulatedEnvironment } from '@dynamis/testkit';
import { z } from 'zod';

/**
 * A plugin that declares 'svc.ping' and registers it in start(), which waits
 * for `gate`: while it waits, the node's transport is already up.
 */
function gatedService(gate: Promise<void>, declare: boolean) {
  const token = Symbol.for('test.GatedService');
  return definePlugin({
    name: 'test/gated',
    version: '1.0.0',
    core: '^0.1.0',
    provides: [],
    needs: ['MessageRouter', 'Transport'],
    ...(declare ? { messages: ['svc.ping'] } : {}),
    background: [token],
    register: ({ bind }) => {
      bind(token).toDynamicValue((ctx): Lifecycle => {
        const router: MessageRouter = ctx.get(MessageRouterToken);
        return {
          start: async () => {
            await gate;
            router.register('svc.ping', z.null(), async () => ({ type: 'svc.pong', payload: 'pong' }), 'test/gated');
          },
          stop: async () => router.unregister('svc.ping'),
        };
      });
    },
  });
}

async function cluster(declare: boolean) {
  const sim = new Simulation({ seed: 3, nodes: ['n1', 'n2'] });
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const make = (id: string, extra: ReturnType<typeof gatedService>[]) =>
    createNode({ nodeId: id, log: { level: 'silent' } }, [
      simulatedEnvironment(sim, id),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
      ...extra,
    ]);
  const n1 = await make('n1', []);
  const n2 = await make('n2', [gatedService(gate, declare)]);
  await n1.start();
  const starting = n2.start();
  await sim.runUntil(() => sim.transport('n2').isLive(), 1000);
  return { sim, n1, n2, open, starting };
}

describe('a message type whose plugin has not started', () => {
  it('is answered UNAVAILABLE not applied over the network, then served once the plugin started, then UNAVAILABLE after it stopped', async () => {
    const { sim, n1, n2, open, starting } = await cluster(true);
    const rpc = n1.resolve(PeerRpcToken);
    const call = () => {
      let out: { ok: string } | { err: DynamisError } | undefined;
      rpc.call('n2', 'svc.ping', null, { replySchema: z.literal('pong'), timeoutMs: 500 }).then(
        (ok) => (out = { ok }),
        (err: DynamisError) => (out = { err }),
      );
      return sim.runUntil(() => out !== undefined, 1000).then(() => out!);
    };
    const early = await call();
    expect(early).toMatchObject({ err: { code: 'UNAVAILABLE', details: { notStarted: true, applied: false, owner: 'test/gated' } } });
    // The client library treats it as safe to retry, even for a write: it provably was not applied.
    const { err } = early as { err: DynamisError };
    expect(shouldRetry('write', err)).toBe(true);
    open();
    await starting;
    expect(await call()).toEqual({ ok: 'pong' });
    // Stop only the plugin's service: unregistering makes the type not started again.
    n2.resolve(MessageRouterToken).unregister('svc.ping');
    expect(await call()).toMatchObject({ err: { code: 'UNAVAILABLE', details: { notStarted: true } } });
    await n1.stop();
    await n2.stop();
  });

  it('a type nobody declares stays PROTOCOL_ERROR (not retried for writes)', async () => {
    const { sim, n1, n2, open, starting } = await cluster(false);
    let out: unknown;
    n1.resolve(PeerRpcToken)
      .call('n2', 'svc.ping', null, { replySchema: z.unknown(), timeoutMs: 500 })
      .catch((e: unknown) => (out = e));
    await sim.runUntil(() => out !== undefined, 1000);
    expect(out).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(shouldRetry('write', out)).toBe(false);
    open();
    await starting;
    await n1.stop();
    await n2.stop();
  });

  it('the kernel declares the client types: before the client API starts a client request is UNAVAILABLE not applied', async () => {
    const sim = new Simulation({ seed: 4, nodes: ['n1'] });
    const node = await createNode({ nodeId: 'n1', log: { level: 'silent' } }, [
      simulatedEnvironment(sim, 'n1'),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
    ]);
    const router = node.resolve(MessageRouterToken);
    const err = await router
      .dispatch('client:c1', { type: CLIENT_MESSAGE.get, payload: { key: 'k' } })
      .catch((e: unknown) => fromWireError(toWireError(e, 'x')));
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { notStarted: true, applied: false, owner: '@dynamis/core:client-api' } });
    expect(shouldRetry('write', err)).toBe(true);
    expect(shouldRetry('idempotent', err)).toBe(true);
  });
});
