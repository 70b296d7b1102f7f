import { describe, expect, it } from '@jest/globals';
import { buildConfig, cliParser, parseCliArgs, USAGE } from './cli';

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
    expect(buildConfig(undefined, parseCliArgs(['--log-format', 'json']))).toEqual({ logFormat: 'json' });
    expect(() => parseCliArgs(['--log-format', 'xml'])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('refuses unknown flags, bad choices and bad numbers with INVALID_ARGUMENT', () => {
    for (const argv of [['--bogus'], ['--engine', 'rocks'], ['--port', 'x'], ['--port', '1.5']]) {
      expect(() => parseCliArgs(argv)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('refuses a flag given twice, naming it (only --peer repeats), and accepts each given once', () => {
    const twice: [string[], string, string[]][] = [
      [['--replication', '3,2,2', '--replication', '1,1,1'], 'replication', ['--replication', '1,1,1']],
      [['--host', 'a', '--host', 'b'], 'host', ['--host', 'b']],
      [['-p', '1', '--port', '2'], 'port', ['-p', '1']],
      [['--engine', 'memory', '--engine', 'lsm'], 'engine', ['--engine', 'lsm']],
      [['--node-id', 'a', '--node-id', 'b'], 'node-id', ['--node-id', 'b']],
    ];
    for (const [argv, flag, once] of twice) {
      expect(() => parseCliArgs(argv)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { flag } }));
      expect(() => parseCliArgs(argv)).toThrow(`--${flag} was given 2 times`);
      expect(() => parseCliArgs(once)).not.toThrow();
    }
    expect(parseCliArgs(['--peer', 'a@h:1', '--peer', 'b@h:2']).peers).toEqual(['a@h:1', 'b@h:2']);
    expect(parseCliArgs(['--hints', '--no-hints']).hints).toBe(false); // a switch: the last one says
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

  it('lays the --tls-* flags over transport.tls of the file, keeping the other transport options', () => {
    const file = JSON.stringify({ transport: { maxConnections: 9, tls: { cert: 'file.pem', key: 'file-key.pem', ca: 'ca.pem' } } });
    const config = buildConfig(file, parseCliArgs(['--tls-cert', 'n1.pem', '--tls-key', 'n1-key.pem', '--tls-mutual']));
    expect(config).toEqual({
      transport: { maxConnections: 9, tls: { cert: 'n1.pem', key: 'n1-key.pem', ca: 'ca.pem', mutual: true } },
    });
    expect(buildConfig(undefined, parseCliArgs(['--tls-ca', 'ca.pem']))).toEqual({ transport: { tls: { ca: 'ca.pem' } } });
    expect(buildConfig(undefined, parseCliArgs(['--port', '1']))).not.toHaveProperty('transport');
  });

  it('maps the cluster flags onto coordinator, resolver, seeds and replication', () => {
    const args = parseCliArgs([
      '--coordinator',
      'quorum',
      '--resolver',
      'vclock',
      '--peer',
      'n1@127.0.0.1:7071',
      '--peer',
      'n2@127.0.0.1:7072',
      '--replication',
      '3,2,quorum',
      '--membership',
      'static',
      '--no-hints',
      '--anti-entropy',
    ]);
    const file = JSON.stringify({ seeds: ['old@h:1'], replication: { sloppyQuorum: false } });
    expect(buildConfig(file, args)).toEqual({
      coordinator: 'quorum',
      resolver: 'vclock',
      membership: 'static',
      hintedHandoff: false,
      antiEntropy: true,
      seeds: ['n1@127.0.0.1:7071', 'n2@127.0.0.1:7072'],
      replication: { sloppyQuorum: false, n: 3, w: 2, r: 'quorum' },
    });
    for (const argv of [
      ['--coordinator', 'paxos'],
      ['--membership', 'swim'],
      ['--resolver', 'crdt'],
      ['--replication', '3,2'],
      ['--replication', '3,x,2'],
      ['--replication', '0,1,1'],
    ]) {
      expect(() => parseCliArgs(argv)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(() => parseCliArgs(['--replication', '3,2'])).toThrow(/--replication/);
    expect(buildConfig(undefined, parseCliArgs(['--hints', '--no-anti-entropy']))).toEqual({ hintedHandoff: true, antiEntropy: false });
    expect(buildConfig(undefined, parseCliArgs(['--no-rebalance']))).toEqual({ rebalance: false });
    expect(buildConfig(undefined, parseCliArgs(['--rebalance']))).toEqual({ rebalance: true });
  });

  it('fails INVALID_CONFIG for a file that is not a JSON object', () => {
    expect(() => buildConfig('{nope', parseCliArgs([]))).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => buildConfig('[1]', parseCliArgs([]))).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('dynamis-server --help', () => {
  // getOptions() is yargs' (untyped) view of the options it was given.
  type Options = { key: Record<string, boolean>; alias: Record<string, string[]>; boolean: string[] };
  const options = (cliParser([], () => undefined) as unknown as { getOptions(): Options }).getOptions();
  const aliases = new Map(Object.entries(options.alias).flatMap(([name, as]) => as.map((a) => [a, name])));
  const names = Object.keys(options.key).filter((k) => !aliases.has(k));
  const flagLines = USAGE.slice(USAGE.indexOf('Flags')).split('\n');
  const listed = flagLines.flatMap((line) => /^\s+(?:-([a-z]), )?--([a-z-]+)/.exec(line)?.slice(1) ?? []);

  it('lists every option the parser accepts (booleans as --x or --no-x), with its short alias', () => {
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const flag = options.boolean.includes(name) ? `--(no-)?${name}` : `--${name}`;
      expect({ name, inHelp: new RegExp(`^\\s+(-[a-z], )?${flag}( |$)`, 'm').test(USAGE) }).toEqual({ name, inHelp: true });
    }
    for (const [alias, name] of aliases) expect(USAGE).toContain(`-${alias}, --${name}`);
  });

  it('accepts every flag it lists', () => {
    const flags = listed.filter((f): f is string => f !== undefined && f.length > 1).map((f) => f.replace(/^no-/, ''));
    expect(flags.length).toBe(names.length);
    for (const flag of flags) expect(names).toContain(flag);
    for (const alias of listed.filter((f): f is string => f !== undefined && f.length === 1)) expect(aliases.has(alias)).toBe(true);
  });
});
