import { describe, expect, it } from '@jest/globals';
import { buildConfig, parseCliArgs } from './cli';

describe('dynamis-server flags', () => {
  it('parses every flag', () => {
    const args = parseCliArgs([
      '-c',
      'node.json',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--node-id',
      'n2',
      '--data-dir',
      '/d',
      '--engine',
      'memory',
      '--log-level',
      'warn',
    ]);
    expect(args).toEqual({
      help: false,
      config: 'node.json',
      host: '0.0.0.0',
      port: 0,
      nodeId: 'n2',
      dataDir: '/d',
      engine: 'memory',
      logLevel: 'warn',
    });
    expect(parseCliArgs(['--help']).help).toBe(true);
    expect(parseCliArgs(['--no-clients']).noClients).toBe(true);
    expect(buildConfig(undefined, parseCliArgs(['--no-clients']))).toEqual({ noClients: true });
  });

  it('refuses unknown flags, bad choices and bad numbers with INVALID_ARGUMENT', () => {
    for (const argv of [['--bogus'], ['--engine', 'rocks'], ['--port', 'x'], ['--port', '1.5']]) {
      expect(() => parseCliArgs(argv)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('lays the flags over the config file', () => {
    const file = JSON.stringify({ nodeId: 'n1', listen: { host: '127.0.0.1', port: 7070 }, log: { level: 'info' }, secret: 's' });
    const config = buildConfig(file, parseCliArgs(['--port', '0', '--log-level', 'silent', '--engine', 'memory']));
    expect(config).toEqual({
      nodeId: 'n1',
      listen: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      secret: 's',
      engine: 'memory',
    });
    expect(buildConfig(undefined, parseCliArgs(['--node-id', 'x']))).toEqual({ nodeId: 'x' });
  });

  it('fails INVALID_CONFIG for a file that is not a JSON object', () => {
    expect(() => buildConfig('{nope', parseCliArgs([]))).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => buildConfig('[1]', parseCliArgs([]))).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
