import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExperiment, readExperimentFile, replicationOf, type ExperimentInput } from './experimentSpec';
import { nodeSettingsFor } from './nodeSettingsFor';

const GOOD: ExperimentInput = {
  name: 'lww-vs-vclock',
  nodes: 3,
  workload: { workload: 'A', records: 200, operations: 400, concurrency: 8, valueBytes: 100 },
  staleness: { samples: 30, delaysMs: [0, 5] },
  configurations: [
    { name: 'lww W2R2', resolver: 'lww', w: 2, r: 2 },
    { name: 'vclock W1R1', resolver: 'vclock', w: 1, r: 1, compaction: 'tiered', fsync: 'none', memtableBytes: 65536, partitions: 64 },
  ],
};

/** The paths named by the INVALID_CONFIG `input` is refused with. */
function refusedPaths(input: unknown): string[] {
  try {
    parseExperiment(input);
  } catch (err) {
    expect(err).toMatchObject({ code: 'INVALID_CONFIG' });
    return ((err as { details: { problems: { path: string }[] } }).details.problems ?? []).map((p) => p.path);
  }
  throw new Error('accepted');
}

const withConfig = (extra: Record<string, unknown>, base: Record<string, unknown> = { name: 'c' }): unknown => ({
  ...GOOD,
  configurations: [{ ...base, ...extra }],
});

describe('experiment file schema', () => {
  it('accepts the documented example, filling in the defaults', () => {
    const exp = parseExperiment(GOOD);
    expect(exp.staleness).toEqual({ samples: 30, delaysMs: [0, 5], concurrency: 1, during: 'idle' });
    expect(exp.configurations[0]).toEqual({ name: 'lww W2R2', resolver: 'lww', engine: 'lsm', writes: 'blind', w: 2, r: 2 });
    expect(replicationOf(exp.configurations[1]!, 3)).toEqual({ n: 3, w: 1, r: 1 });
    expect(replicationOf(parseExperiment(withConfig({})).configurations[0]!, 3)).toEqual({ n: 3, w: 2, r: 2 });
    expect(
      replicationOf(parseExperiment({ ...GOOD, nodes: 2, staleness: undefined, configurations: [{ name: 'x' }] }).configurations[0]!, 2),
    ).toEqual({ n: 2, w: 2, r: 2 });
  });

  it('refuses unknown keys, at any depth, naming them', () => {
    const cases: [unknown, string, string][] = [
      [{ ...GOOD, colour: 'blue' }, '', 'colour'],
      [{ ...GOOD, workload: { ...GOOD.workload, threads: 4 } }, 'workload', 'threads'],
      [{ ...GOOD, staleness: { samples: 3, delaysMs: [0], reps: 1 } }, 'staleness', 'reps'],
      [withConfig({ everysec: true }), 'configurations.0', 'everysec'],
    ];
    for (const [input, path, key] of cases) {
      expect(refusedPaths(input)).toEqual([path]);
      expect(() => parseExperiment(input)).toThrow(new RegExp(`${path === '' ? '\\(root\\)' : path}: .*"${key}"`));
    }
  });

  it('takes every YCSB core workload, E (scans) included', () => {
    for (const workload of ['A', 'B', 'C', 'D', 'E', 'F'])
      expect(parseExperiment({ ...GOOD, workload: { ...GOOD.workload, workload } }).workload.workload).toBe(workload);
  });

  it('refuses bad values, naming the key', () => {
    expect(refusedPaths({ ...GOOD, name: 'a/b' })).toEqual(['name']);
    expect(refusedPaths({ ...GOOD, workload: { ...GOOD.workload, workload: 'G' } })).toEqual(['workload.workload']);
    expect(refusedPaths({ ...GOOD, workload: { ...GOOD.workload, concurrency: 0 } })).toEqual(['workload.concurrency']);
    expect(refusedPaths({ ...GOOD, staleness: { samples: 3, delaysMs: [-1] } })).toEqual(['staleness.delaysMs.0']);
    expect(refusedPaths({ ...GOOD, configurations: [] })).toEqual(['configurations']);
    expect(refusedPaths(withConfig({ resolver: 'crdt' }))).toEqual(['configurations.0.resolver']);
    expect(refusedPaths(withConfig({ fsync: 'everysec' }))).toEqual(['configurations.0.fsync']);
    expect(refusedPaths(withConfig({ compaction: 'universal' }))).toEqual(['configurations.0.compaction']);
    expect(refusedPaths(withConfig({ partitions: 48 }))).toEqual(['configurations.0.partitions']);
  });

  it('refuses settings that cannot hold together, naming the key', () => {
    expect(refusedPaths(withConfig({ w: 4 }))).toEqual(['configurations.0.w']);
    expect(refusedPaths(withConfig({ r: 3, n: 2 }))).toEqual(['configurations.0.r']);
    expect(refusedPaths(withConfig({ n: 4 }))).toEqual(['configurations.0.n']);
    // An option the node would not read is refused, never ignored.
    expect(refusedPaths(withConfig({ engine: 'memory', compaction: 'tiered' }))).toEqual(['configurations.0.compaction']);
    expect(refusedPaths(withConfig({ engine: 'memory', fsync: 'always', memtableBytes: 8192 }))).toEqual([
      'configurations.0.fsync',
      'configurations.0.memtableBytes',
    ]);
    expect(refusedPaths({ ...GOOD, configurations: [{ name: 'x' }, { name: 'x' }] })).toEqual(['configurations.1.name']);
    expect(refusedPaths({ ...GOOD, nodes: 1, configurations: [{ name: 'x' }] })).toEqual(['staleness']);
  });

  it('reads a file, naming it when it is not JSON or not an experiment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynamis-exp-spec-'));
    try {
      const file = join(dir, 'e.json');
      writeFileSync(file, JSON.stringify(GOOD));
      expect(readExperimentFile(file).name).toBe('lww-vs-vclock');
      writeFileSync(file, '{ name: ');
      expect(() => readExperimentFile(file)).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(`${file} is not valid JSON`) }),
      );
      writeFileSync(file, JSON.stringify({ ...GOOD, nodes: 0 }));
      expect(() => readExperimentFile(file)).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(/e\.json: .*nodes/s) }),
      );
      expect(() => readExperimentFile(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nodeSettingsFor', () => {
  it('leaves the clients’ own setting (writes) to the clients', () => {
    const c = parseExperiment(withConfig({ writes: 'with-context' })).configurations[0]!;
    expect(c.writes).toBe('with-context');
    expect(nodeSettingsFor(c, 'warn').config).toEqual({});
    expect(refusedPaths(withConfig({ writes: 'sometimes' }))).toEqual(['configurations.0.writes']);
  });

  it('maps every configuration field onto the server’s own flags and config keys', () => {
    const [plain, tuned] = parseExperiment(GOOD).configurations;
    expect(nodeSettingsFor(plain!, 'warn')).toEqual({ flags: ['--engine', 'lsm', '--resolver', 'lww', '--log-level', 'warn'], config: {} });
    expect(nodeSettingsFor(tuned!, 'error')).toEqual({
      flags: ['--engine', 'lsm', '--resolver', 'vclock', '--log-level', 'error'],
      config: { engineOptions: { compaction: { strategy: 'tiered' }, fsync: 'none', memtableBytes: 65536 }, ring: { partitions: 64 } },
    });
  });
});

describe('the documented experiments are valid', () => {
  const repo = join(__dirname, '..', '..', '..', '..');

  it('the README example parses', () => {
    const readme = readFileSync(join(repo, 'packages', 'cli', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### `dynamis experiment'));
    const block = /```json\n([\s\S]*?)```/.exec(section);
    expect(block).not.toBeNull();
    expect(parseExperiment(JSON.parse(block![1]!)).configurations).toHaveLength(2);
  });

  it('docs/experiments/example.json parses', () => {
    const exp = readExperimentFile(join(repo, 'docs', 'experiments', 'example.json'));
    expect(exp.configurations.map((c) => c.resolver)).toEqual(expect.arrayContaining(['lww', 'vclock']));
    expect(exp.configurations.map((c) => c.compaction)).toEqual(expect.arrayContaining(['leveled', 'tiered']));
  });
});
