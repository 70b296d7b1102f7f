import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingIo } from '../../test/recordingIo';
import { runCli } from '../program';
import { benchSpec } from './benchCommand';

const defaults = { workload: 'A', records: '1000', operations: '10000', concurrency: '16', valueSize: '1000' };

describe('dynamis bench options', () => {
  it('resolves the distribution (latest for D) and a seed, and takes the workload in either case', () => {
    expect(benchSpec({ ...defaults, seed: '7' })).toEqual({
      workload: 'A',
      records: 1000,
      operations: 10000,
      concurrency: 16,
      valueBytes: 1000,
      distribution: 'zipfian',
      seed: 7,
    });
    expect(benchSpec({ ...defaults, workload: 'd' })).toMatchObject({ workload: 'D', distribution: 'latest' });
    expect(benchSpec({ ...defaults, workload: 'D', distribution: 'uniform' }).distribution).toBe('uniform');
    expect(Number.isSafeInteger(benchSpec(defaults).seed)).toBe(true);
  });

  it.each([
    [['--workload', 'G'], '--workload must be one of A, B, C, D, E, F'],
    [['--distribution', 'hotspot'], '--distribution must be one of zipfian, uniform, latest'],
    [['--records', '0'], '--records must be an integer ≥ 1'],
    [['--operations', 'many'], '--operations must be an integer ≥ 1'],
    [['--concurrency', '0'], '--concurrency must be an integer ≥ 1'],
    [['--concurrency', '20000'], '--concurrency must be an integer in [1, 10000], got 20000'],
    [['--value-size', String(64 * 1024 * 1024)], '--value-size must be an integer in [0, 16777216]'],
    [['--value-size', '-1'], '--value-size must be an integer ≥ 0'],
    [['--seed', '1.5'], '--seed must be an integer ≥ 0'],
    [['--consistency', 'most'], '--consistency must be one, quorum, all or a positive integer'],
  ])('%j exits 2 naming the option, before connecting', async (args, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'dynamis-bench-opts-'));
    try {
      const io = recordingIo(cwd);
      expect(await runCli(['bench', ...args], io)).toBe(2);
      expect(io.stderr()).toContain(`error INVALID_ARGUMENT: ${message}`);
      expect(io.stdout()).toBe('');
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('exits 3 when no node can be reached', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve())); // a port nothing listens on
    const io = recordingIo('/', { DYNAMIS_CLIENT_TOKEN: 'a-token-of-sixteen-chars' });
    expect(await runCli(['bench', '--connect', `127.0.0.1:${port}`, '--timeout-ms', '2000'], io)).toBe(3);
    expect(io.stderr()).toMatch(/^error [A-Z_]+: /);
    expect(io.stdout()).toBe('');
  });
});
