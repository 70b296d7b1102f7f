import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLoopback, resolveAdminOptions } from './options';

const TOKEN = 'a-test-token-of-32-characters-xx';
const refused = (path: string) =>
  expect.objectContaining({ code: 'INVALID_CONFIG', details: { problems: [expect.objectContaining({ path })] } });

describe('resolveAdminOptions', () => {
  it('defaults to loopback, any port, no token', () => {
    expect(resolveAdminOptions(undefined)).toEqual({
      host: '127.0.0.1',
      port: 0,
      token: undefined,
      maxConnections: 16,
      maxEventClients: 4,
    });
    expect(resolveAdminOptions({ maxConnections: 2 }).maxEventClients).toBe(1);
    expect(resolveAdminOptions({ maxConnections: 1 }).maxEventClients).toBe(0);
    expect(resolveAdminOptions({ listen: '[::1]:9100' })).toMatchObject({ host: '::1', port: 9100 });
  });

  it('refuses a non-loopback listen without a token, naming token', () => {
    expect(() => resolveAdminOptions({ listen: '0.0.0.0:9100' })).toThrow(refused('token'));
    expect(() => resolveAdminOptions({ listen: '10.1.2.3:9100' })).toThrow(refused('token'));
    expect(resolveAdminOptions({ listen: '0.0.0.0:9100', token: TOKEN }).token).toBe(TOKEN);
  });

  it('refuses unknown keys, bad listen, short tokens and both token sources', () => {
    expect(() => resolveAdminOptions({ listen: '127.0.0.1:1', color: 'red' } as never)).toThrow(refused(''));
    expect(() => resolveAdminOptions({ listen: 'nohost' })).toThrow(refused('listen'));
    expect(() => resolveAdminOptions({ listen: '127.0.0.1:70000' })).toThrow(refused('listen'));
    expect(() => resolveAdminOptions({ token: 'short' })).toThrow(refused('token'));
    expect(() => resolveAdminOptions({ token: TOKEN, tokenFile: '/x' })).toThrow(refused('tokenFile'));
    expect(() => resolveAdminOptions({ maxConnections: 0 })).toThrow(refused('maxConnections'));
    expect(() => resolveAdminOptions({ maxConnections: 4, maxEventClients: 4 })).toThrow(refused('maxEventClients'));
    expect(resolveAdminOptions({ maxConnections: 4, maxEventClients: 3 }).maxEventClients).toBe(3);
  });

  it('reads the token from tokenFile, trimmed; refuses a missing file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'admin-')), 'token');
    writeFileSync(file, `${TOKEN}\n`);
    expect(resolveAdminOptions({ listen: '0.0.0.0:0', tokenFile: file }).token).toBe(TOKEN);
    expect(() => resolveAdminOptions({ tokenFile: `${file}.missing` })).toThrow(refused('tokenFile'));
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com', '127.example.com'].map(isLoopback)).toEqual([false, false, false, false, false]);
  });
});
