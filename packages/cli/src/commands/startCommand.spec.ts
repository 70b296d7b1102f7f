import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingIo } from '../../test/recordingIo';
import { runCli } from '../program';

describe('dynamis start refuses bad input before starting anything (exit 2, the key named)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dynamis-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { DYNAMIS_SECRET: 'a-cluster-secret-0000001', DYNAMIS_CLIENT_TOKEN: 'a-client-token-00000001' };

  it.each([
    ['a bad value in the config file', { engine: 'rocks' }, [], /INVALID_CONFIG[\s\S]*engine/],
    ['a bad node config key', { limits: { maxValueBytes: -1 } }, [], /INVALID_CONFIG[\s\S]*limits\.maxValueBytes/],
    ['an option nothing reads', { ring: { partitions: 16 } }, [], /INVALID_CONFIG[\s\S]*ring/],
    ['an unknown flag', {}, ['--bogus'], /INVALID_ARGUMENT[\s\S]*bogus/],
    ['a bad flag value', {}, ['--replication', '3,x'], /INVALID_ARGUMENT[\s\S]*--replication/],
  ])('%s', async (_what, config, flags, message) => {
    const file = join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({ log: { level: 'silent' }, listen: { port: 0 }, ...config }));
    const io = recordingIo(dir, env);
    expect(await runCli(['start', '--config', file, ...flags], io)).toBe(2);
    expect(io.stderr()).toMatch(message);
    expect(io.stderr()).not.toContain(env.DYNAMIS_SECRET);
    expect(io.stdout()).toBe('');
  });

  it('a missing config file is a usage error naming it', async () => {
    const io = recordingIo(dir, env);
    expect(await runCli(['start', '--config', join(dir, 'absent.json')], io)).toBe(2);
    expect(io.stderr()).toMatch(/error INVALID_CONFIG: cannot read config file .*absent\.json/);
  });
});
