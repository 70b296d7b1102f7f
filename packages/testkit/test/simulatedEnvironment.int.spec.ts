import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { ClockToken, createNode, FileSystemToken, LoggerToken } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { Simulation, simulatedEnvironment } from '../src';

describe('simulatedEnvironment provides the node its simulated disk and log', () => {
  it('simulatedEnvironment gives a composed node the disk, the clock and a quiet per-node log the test can read', async () => {
    const sim = new Simulation({ seed: 5, log: { level: 'debug' } });
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const node = await createNode({ nodeId: 'n2' }, [simulatedEnvironment(sim, 'n2'), memoryEngine(), lwwResolver(), localCoordinator()]);
      expect(node.resolve(FileSystemToken)).toBe(sim.fileSystem('n2'));
      expect(node.resolve(ClockToken)).toBe(sim.clock('n2'));
      node.resolve(LoggerToken).child({ plugin: 'p' }).debug('hello', { k: 1 });
      await node.start();
      await node.stop();
    } finally {
      process.stderr.write = original;
    }
    expect(writes).toEqual([]);
    const lines = sim
      .log('n2')
      .lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ level: 'debug', time: 0, msg: 'hello', node: 'n2', plugin: 'p', k: 1 });
    expect(lines.some((l) => l['msg'] === 'node started')).toBe(true);
    expect(sim.log('n1').lines()).toEqual([]);
  });
});
