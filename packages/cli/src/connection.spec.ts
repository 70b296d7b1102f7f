import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newLayout, writeClusterFiles } from './cluster/clusterLayout';
import { resolveTarget, type ConnectionOptions } from './connection';

const base: ConnectionOptions = { dataDir: './data', clientId: 'default', timeoutMs: 5000 };

describe('where a client command connects', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dynamis-conn-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const files = writeClusterFiles(join(cwd, 'data'), newLayout('127.0.0.1', [7001, 7002, 7003]));
  writeFileSync(join(cwd, 'token.txt'), 'token-from-a-file-0001\nignored second line\n');

  it('defaults to every node of the cluster in ./data and its client token', () => {
    expect(resolveTarget(base, cwd, {})).toEqual({
      nodes: ['ws://127.0.0.1:7001', 'ws://127.0.0.1:7002', 'ws://127.0.0.1:7003'],
      token: files.clientToken,
      clientId: 'default',
      timeoutMs: 5000,
    });
  });

  it('takes --connect (repeatable or comma-separated) and the token from --secret-file, then env, then the data dir', () => {
    const connect = ['127.0.0.1:9001,127.0.0.1:9002', 'ws://h:9003'];
    expect(resolveTarget({ ...base, connect, secretFile: 'token.txt' }, cwd, { DYNAMIS_CLIENT_TOKEN: 'from-env-000000000' })).toMatchObject(
      {
        nodes: ['ws://127.0.0.1:9001', 'ws://127.0.0.1:9002', 'ws://h:9003'],
        token: 'token-from-a-file-0001',
      },
    );
    expect(resolveTarget({ ...base, connect }, cwd, { DYNAMIS_CLIENT_TOKEN: 'from-env-000000000' }).token).toBe('from-env-000000000');
    expect(resolveTarget({ ...base, connect }, cwd, {}).token).toBe(files.clientToken);
  });

  it('takes --ca as the TLS CA, resolved against the working directory, and names every node wss://; none without it', () => {
    expect(resolveTarget({ ...base, ca: 'data/tls/ca.pem' }, cwd, {})).toMatchObject({
      tls: { ca: join(cwd, 'data/tls/ca.pem') },
      nodes: ['wss://127.0.0.1:7001', 'wss://127.0.0.1:7002', 'wss://127.0.0.1:7003'],
    });
    expect(resolveTarget({ ...base, ca: 'ca.pem', connect: ['h:1', 'ws://h:2', 'wss://h:3'] }, cwd, {}).nodes).toEqual([
      'wss://h:1',
      'wss://h:2',
      'wss://h:3',
    ]);
    expect(resolveTarget(base, cwd, {})).not.toHaveProperty('tls');
  });

  it('says how to start a cluster when there is none, and names a bad token file', () => {
    const empty = { ...base, dataDir: 'nowhere' };
    expect(() => resolveTarget(empty, cwd, {})).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('npm start') }),
    );
    expect(() => resolveTarget({ ...empty, connect: ['h:1'] }, cwd, {})).toThrow(/no client token/);
    expect(() => resolveTarget({ ...base, secretFile: 'missing.txt' }, cwd, {})).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('missing.txt') }),
    );
  });
});
