import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { inject, injectable } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { isDynamisError } from '../errors/DynamisError';
import { CoordinatorToken, type Coordinator } from '../ports/Coordinator';
import { ManualClock } from '../env/ManualClock';
import { ClockToken } from '../ports/Clock';
import { ConflictResolverToken } from '../ports/ConflictResolver';
import { StorageEngineToken } from '../ports/StorageEngine';
import { createNode } from './DynamisNode';
import { definePlugin, type Plugin } from './Plugin';
import type { PortName } from './ports';

/** A log shared by the lifecycle doubles below, to check start and stop order. */
const events: string[] = [];

function lifecyclePlugin(
  name: string,
  provides: PortName[],
  needs: PortName[],
  behaviour: { failStart?: boolean; hangStart?: boolean; hangStop?: boolean } = {},
): Plugin {
  @injectable()
  class Service {
    async start(): Promise<void> {
      events.push(`start ${name}`);
      if (behaviour.failStart) throw new Error('boom');
      if (behaviour.hangStart) await new Promise(() => undefined);
    }
    async stop(): Promise<void> {
      events.push(`stop ${name}`);
      if (behaviour.hangStop) await new Promise(() => undefined);
    }
  }
  return definePlugin({
    name,
    version: '1.0.0',
    core: '^0.1.0',
    provides,
    needs,
    register: ({ bind }) => {
      for (const port of provides) bind(tokenOf(port)).to(Service).inSingletonScope();
    },
  });
}

function tokenOf(port: PortName): symbol {
  return Symbol.for(`dynamis.${port}`);
}

/** A coordinator double that injects the Config, to prove constructor injection works through plugins. */
@injectable()
class EchoCoordinator {
  constructor(@inject(ConfigToken) readonly config: DynamisConfig) {}
  async start(): Promise<void> {
    events.push('start coordinator');
  }
  async stop(): Promise<void> {
    events.push('stop coordinator');
  }
}

const coordinatorPlugin = (needs: PortName[] = []): Plugin =>
  definePlugin({
    name: 'test/coordinator',
    version: '1.0.0',
    core: '^0.1.0',
    provides: ['Coordinator'],
    needs: ['Config', ...needs],
    register: ({ bind }) => {
      bind(CoordinatorToken)
        .to(EchoCoordinator as unknown as new () => Coordinator)
        .inSingletonScope();
    },
  });

const quiet = { log: { level: 'silent' } };

/** Puts the node on `clock`: the kernel's start/stop timeouts then run on manual time. */
const clockPlugin = (clock: ManualClock): Plugin =>
  definePlugin({
    name: 'test/manual-clock',
    version: '1.0.0',
    core: '^0.1.0',
    provides: ['Clock'],
    needs: [],
    register: ({ bind }) => void bind(ClockToken).toConstantValue(clock),
  });

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(p: Promise<T>): { readonly settled: boolean; readonly result: Promise<T> } {
  const state = { settled: false, result: p };
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

describe('composition', () => {
  it('fails with MISSING_PROVIDER naming the port, who needs it and which packages provide it', async () => {
    const err = await createNode(quiet, [coordinatorPlugin(['StorageEngine', 'ConflictResolver'])]).catch((e: unknown) => e);
    expect(isDynamisError(err, 'MISSING_PROVIDER')).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('StorageEngine');
    expect(message).toContain('ConflictResolver');
    expect(message).toContain('needed by test/coordinator');
    expect(message).toContain('@dynamis/engine-lsm, @dynamis/engine-memory');
    expect((err as { details: { ports: string[] } }).details.ports).toEqual(['StorageEngine', 'ConflictResolver']);
  });

  it('fails with MISSING_PROVIDER when no plugin provides the Coordinator', async () => {
    await expect(createNode(quiet, [])).rejects.toMatchObject({ code: 'MISSING_PROVIDER', details: { ports: ['Coordinator'] } });
  });

  it('names every provider of each missing port in MISSING_PROVIDER', async () => {
    const err = (await createNode(quiet, [coordinatorPlugin(['HintStore', 'ConflictResolver'])]).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(
      'HintStore (durable hints for hinted handoff), needed by test/coordinator; provided by: @dynamis/hinted-handoff',
    );
    expect(err.message).toContain('provided by: @dynamis/conflict-lww, @dynamis/conflict-vclock');
    expect(err).toMatchObject({
      details: {
        providers: { HintStore: ['@dynamis/hinted-handoff'], ConflictResolver: ['@dynamis/conflict-lww', '@dynamis/conflict-vclock'] },
      },
    });
  });

  it('names both providers of Membership', async () => {
    const err = (await createNode(quiet, [coordinatorPlugin(['Membership'])]).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({
      code: 'MISSING_PROVIDER',
      details: { providers: { Membership: ['@dynamis/membership-static', '@dynamis/gossip'] } },
    });
  });

  it('names the existing provider of the Partitioner', async () => {
    const err = (await createNode(quiet, [coordinatorPlugin(['Partitioner'])]).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'MISSING_PROVIDER', details: { providers: { Partitioner: ['@dynamis/ring'] } } });
  });

  it('fails with DUPLICATE_PROVIDER naming both plugins', async () => {
    const a = lifecyclePlugin('test/engine-a', ['StorageEngine'], []);
    const b = lifecyclePlugin('test/engine-b', ['StorageEngine'], []);
    await expect(createNode(quiet, [coordinatorPlugin(), a, b])).rejects.toMatchObject({
      code: 'DUPLICATE_PROVIDER',
      details: { port: 'StorageEngine', providers: ['test/engine-a', 'test/engine-b'] },
    });
  });

  it('fails with INVALID_CONFIG for a bad config before looking at plugins', async () => {
    await expect(createNode({ limits: { maxKeyBytes: 'big' } }, [])).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('rejects a plugin built for another core version, and duplicate plugin names', async () => {
    const old = definePlugin({ name: 'test/old', version: '1.0.0', core: '^2.0.0', provides: [], needs: [], register: () => undefined });
    await expect(createNode(quiet, [coordinatorPlugin(), old])).rejects.toMatchObject({
      code: 'INCOMPATIBLE_PLUGIN',
      details: { plugin: 'test/old' },
    });
    await expect(createNode(quiet, [coordinatorPlugin(), coordinatorPlugin()])).rejects.toMatchObject({ code: 'INCOMPATIBLE_PLUGIN' });
  });

  it('rejects a manifest with an unknown port', () => {
    expect(() =>
      definePlugin({ name: 'x', version: '1', core: '*', provides: ['Nope' as PortName], needs: [], register: () => undefined }),
    ).toThrow(expect.objectContaining({ code: 'INCOMPATIBLE_PLUGIN' }));
  });

  it('fails with PLUGIN_FAILED when a plugin does not bind what it declares', async () => {
    const liar = definePlugin({
      name: 'test/liar',
      version: '1',
      core: '*',
      provides: ['StorageEngine'],
      needs: [],
      register: () => undefined,
    });
    await expect(createNode(quiet, [coordinatorPlugin(), liar])).rejects.toMatchObject({
      code: 'PLUGIN_FAILED',
      details: { plugin: 'test/liar', port: 'StorageEngine' },
    });
  });

  it('starts in dependency order and stops in reverse, whatever the list order', async () => {
    events.length = 0;
    const engine = lifecyclePlugin('test/engine', ['StorageEngine'], []);
    const resolver = lifecyclePlugin('test/resolver', ['ConflictResolver'], ['StorageEngine']);
    const node = await createNode(quiet, [coordinatorPlugin(['ConflictResolver']), resolver, engine]);
    await node.start();
    expect(node.state).toBe('running');
    expect(events).toEqual(['start test/engine', 'start test/resolver', 'start coordinator']);
    expect((node.resolve(CoordinatorToken) as unknown as EchoCoordinator).config.nodeId).toBe('node-1');
    await node.stop();
    expect(events.slice(3)).toEqual(['stop coordinator', 'stop test/resolver', 'stop test/engine']);
    expect(node.state).toBe('stopped');
    await node.stop();
  });

  it('names the plugin that fails to start and stops what had started', async () => {
    events.length = 0;
    const engine = lifecyclePlugin('test/engine', ['StorageEngine'], []);
    const bad = lifecyclePlugin('test/bad', ['ConflictResolver'], ['StorageEngine'], { failStart: true });
    const node = await createNode(quiet, [coordinatorPlugin(['ConflictResolver']), bad, engine]);
    await expect(node.start()).rejects.toMatchObject({ code: 'PLUGIN_FAILED', details: { plugin: 'test/bad' } });
    expect(events).toEqual(['start test/engine', 'start test/bad', 'stop test/bad', 'stop test/engine']);
    expect(node.state).toBe('failed');
  });

  it('times out a plugin that hangs on start after exactly timeouts.pluginStartMs of Clock time, naming it', async () => {
    events.length = 0;
    const clock = new ManualClock();
    const engine = lifecyclePlugin('test/engine', ['StorageEngine'], []);
    const hang = lifecyclePlugin('test/hang', ['ConflictResolver'], ['StorageEngine'], { hangStart: true });
    const plugins = [clockPlugin(clock), coordinatorPlugin(['ConflictResolver']), hang, engine];
    const node = await createNode({ ...quiet, timeouts: { pluginStartMs: 1000 } }, plugins);
    const start = track(node.start());
    await clock.advance(999);
    expect(start.settled).toBe(false);
    expect(events).toEqual(['start test/engine', 'start test/hang']);
    await clock.advance(1);
    expect(start.settled).toBe(true);
    await expect(start.result).rejects.toMatchObject({ code: 'TIMEOUT', details: { plugin: 'test/hang', phase: 'start', ms: 1000 } });
    // What had started is stopped, the hung plugin included (its stop does not hang).
    expect(events).toEqual(['start test/engine', 'start test/hang', 'stop test/hang', 'stop test/engine']);
    expect(node.state).toBe('failed');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('times out a plugin that hangs on stop after timeouts.pluginStopMs, still stops the others, then throws TIMEOUT naming it', async () => {
    events.length = 0;
    const clock = new ManualClock();
    const engine = lifecyclePlugin('test/engine', ['StorageEngine'], []);
    const hang = lifecyclePlugin('test/hang', ['ConflictResolver'], ['StorageEngine'], { hangStop: true });
    const plugins = [clockPlugin(clock), coordinatorPlugin(['ConflictResolver']), hang, engine];
    const node = await createNode({ ...quiet, timeouts: { pluginStopMs: 2000 } }, plugins);
    await node.start();
    expect(clock.pendingTimers()).toBe(0); // every start timer was cancelled
    const stop = track(node.stop());
    await clock.advance(1999);
    expect(stop.settled).toBe(false);
    expect(events.slice(3)).toEqual(['stop coordinator', 'stop test/hang']);
    await clock.advance(1);
    expect(stop.settled).toBe(true);
    await expect(stop.result).rejects.toMatchObject({ code: 'TIMEOUT', details: { plugin: 'test/hang', phase: 'stop', ms: 2000 } });
    expect(events.slice(3)).toEqual(['stop coordinator', 'stop test/hang', 'stop test/engine']);
    expect(node.state).toBe('stopped');
  });

  it('lists the composed plugins', async () => {
    const engine = lifecyclePlugin('test/engine', ['StorageEngine'], []);
    const node = await createNode(quiet, [coordinatorPlugin(['StorageEngine']), engine]);
    expect(node.plugins.map((p) => p.name)).toEqual(['test/engine', 'test/coordinator']);
    expect(StorageEngineToken).toBe(tokenOf('StorageEngine'));
    expect(ConflictResolverToken).toBe(tokenOf('ConflictResolver'));
  });
});
