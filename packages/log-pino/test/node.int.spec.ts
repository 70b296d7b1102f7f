import { describe, expect, it } from '@jest/globals';
import { createNode } from '@dynamis/core';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { memoryEngine } from '@dynamis/engine-memory';
import { pinoLogger } from '@dynamis/log-pino';
import { sink } from './sink';

describe('@dynamis/log-pino in a node', () => {
  it('as a node’s Logger plugin: the node’s lines, at the node config’s log.level, carry its id', async () => {
    const s = sink();
    const node = await createNode({ nodeId: 'n1', log: { level: 'info' } }, [
      pinoLogger({ format: 'json' }, s.stream),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
    ]);
    await node.start();
    await node.stop();
    expect(s.lines()).toContainEqual(expect.objectContaining({ level: 'info', node: 'n1', msg: 'node started' }));
    expect(s.lines().every((l) => l.level !== 'debug')).toBe(true);
  });
});
