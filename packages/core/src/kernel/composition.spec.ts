import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { inject, injectable } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { isDynamisError } from '../errors/DynamisError';
import { CoordinatorToken, type Coordinator } from '../ports/Coordinator';
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
  behaviour: { failStart?: boolean; hangStart?: boolean } = {},
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

  it('times out a plugin that hangs on start, naming it', async () => {
    const hang = lifecyclePlugin('test/hang', ['StorageEngine'], [], { hangStart: true });
    const node = await createNode({ ...quiet, timeouts: { pluginStartMs: 50 } }, [coordinatorPlugin(['StorageEngine']), hang]);
    await expect(node.start()).rejects.toMatchObject({ code: 'TIMEOUT', details: { plugin: 'test/hang', phase: 'start' } });
  });

  it('lists the composed plugins', async () => {
    const engine = lifecyclePlugin('test/engine', ['StorageEngine'], []);
    const node = await createNode(quiet, [coordinatorPlugin(['StorageEngine']), engine]);
    expect(node.plugins.map((p) => p.name)).toEqual(['test/engine', 'test/coordinator']);
    expect(StorageEngineToken).toBe(tokenOf('StorageEngine'));
    expect(ConflictResolverToken).toBe(tokenOf('ConflictResolver'));
  });
});
