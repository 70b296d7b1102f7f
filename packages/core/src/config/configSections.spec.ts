import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { injectable } from 'inversify';
import { DynamisError } from '../errors/DynamisError';
import { CoordinatorToken, type Coordinator } from '../ports/Coordinator';
import { createNode } from '../kernel/DynamisNode';
import { definePlugin, type Plugin } from '../kernel/Plugin';
import { checkUnreadSections, type PluginConfigSection } from './configSections';

@injectable()
class IdleCoordinator {}

/** A coordinator plugin reading `reads` (nothing, as coordinator-local). */
const coordinator = (reads?: PluginConfigSection[]): Plugin =>
  definePlugin({
    name: 'test/coordinator',
    version: '1.0.0',
    core: '^0.1.0',
    provides: ['Coordinator'],
    needs: ['Config'],
    reads,
    register: ({ bind }) => {
      bind(CoordinatorToken)
        .to(IdleCoordinator as unknown as new () => Coordinator)
        .inSingletonScope();
    },
  });

const quiet = { log: { level: 'silent' } };

describe('createNode refuses config sections that no plugin reads', () => {
  it('names every set section nobody reads (replication, seeds, listen) with INVALID_CONFIG', async () => {
    const config = { ...quiet, replication: { n: 3 }, seeds: ['ws://a:1'], listen: { port: 7000 } };
    const err = (await createNode(config, [coordinator()]).catch((e: unknown) => e)) as DynamisError;
    expect(err).toBeInstanceOf(DynamisError);
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.details.unread).toEqual(['listen', 'seeds', 'replication']);
    for (const key of ['listen', 'seeds', 'replication', 'test/coordinator']) expect(err.message).toContain(key);
  });

  it('refuses a section set to its default value or empty (it is still set), and accepts it when left out', async () => {
    await expect(createNode({ ...quiet, seeds: [] }, [coordinator()])).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { unread: ['seeds'] },
    });
    await expect(createNode({ ...quiet, replication: {} }, [coordinator()])).rejects.toMatchObject({
      details: { unread: ['replication'] },
    });
    const node = await createNode({ ...quiet, limits: { maxKeyBytes: 10 }, timeouts: { requestMs: 100 }, dataDir: '/tmp/x' }, [
      coordinator(),
    ]);
    expect(node.config.replication.n).toBe(3); // the default is there for whoever reads it
  });

  it('accepts a section a plugin declares it reads', async () => {
    const node = await createNode({ ...quiet, replication: { n: 5 }, seeds: ['ws://a:1'] }, [coordinator(['replication', 'seeds'])]);
    expect(node.config.replication.n).toBe(5);
    expect(node.plugins[0]!.reads).toEqual(['replication', 'seeds']);
  });

  it('is checked by definePlugin: an unknown section is INCOMPATIBLE_PLUGIN', () => {
    expect(() => coordinator(['limits' as PluginConfigSection])).toThrow(expect.objectContaining({ code: 'INCOMPATIBLE_PLUGIN' }));
  });

  it('checkUnreadSections ignores non-objects (parseConfig reports those)', () => {
    expect(() => checkUnreadSections(undefined, [])).not.toThrow();
    expect(() => checkUnreadSections({ listen: { port: 1 } }, [{ name: 't', reads: ['listen'] }])).not.toThrow();
  });
});
