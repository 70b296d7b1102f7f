import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '@dynamis/core';
import { sink } from '../test/sink';
import { createPino, resolveFormat, type LogFormat, type LogLevel } from './createPino';
import { PinoLogger } from './PinoLogger';
import { pinoLogger } from './plugin';

function logger(level: LogLevel, format: LogFormat = 'json') {
  const s = sink();
  return { ...s, log: new PinoLogger(createPino({ level, format, node: 'n7', destination: s.stream })) };
}

describe('@dynamis/log-pino', () => {
  it('writes one JSON line per entry with level, time, node, msg and the fields', () => {
    const { log, lines } = logger('debug');
    log.info('node started', { plugins: ['a', 'b'] });
    log.child({ plugin: 'gossip' }).warn('peer down', { peer: 'n2' });
    log.error('no fields');
    const [a, b, c] = lines();
    expect(a).toEqual({ level: 'info', time: expect.any(Number), node: 'n7', plugins: ['a', 'b'], msg: 'node started' });
    expect(b).toEqual({ level: 'warn', time: expect.any(Number), node: 'n7', plugin: 'gossip', peer: 'n2', msg: 'peer down' });
    expect(c).toEqual({ level: 'error', time: expect.any(Number), node: 'n7', msg: 'no fields' });
    expect(lines()).toHaveLength(3);
  });

  it('a child does not repeat a field its parent carries with the same value (one key per JSON line)', () => {
    const { log, text, lines } = logger('info');
    log.child({ component: 'transport-ws', node: 'n7' }).info('listening');
    log.child({ node: 'n8' }).child({ node: 'n8', c: 1 }).info('other');
    const [first, second] = text().trim().split('\n');
    expect(first!.match(/"node":/g)).toHaveLength(1);
    expect(second!.match(/"node":"n8"/g)).toHaveLength(1);
    expect(lines()[0]).toEqual({ level: 'info', time: expect.any(Number), node: 'n7', component: 'transport-ws', msg: 'listening' });
    expect(lines()[1]).toMatchObject({ c: 1, msg: 'other' });
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ] as const)('level %s keeps %j', (level, kept) => {
    const { log, lines } = logger(level);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.child({ c: 1 }).debug('child d');
    expect(lines().map((l) => l.level)).toEqual([...kept, ...(level === 'debug' ? ['debug'] : [])]);
  });

  it('pretty: human-readable lines, not JSON, with the level name, the message and the fields', () => {
    const { log, text } = logger('info', 'pretty');
    log.info('node started', { peer: 'n2' });
    log.debug('hidden');
    expect(text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: node started\n {4}node: "n7"\n {4}peer: "n2"\n$/);
    expect(text()).not.toContain('hidden');
    expect(() => JSON.parse(text().split('\n')[0]!)).toThrow();
  });

  it('auto is pretty on a terminal, JSON lines otherwise', () => {
    expect(resolveFormat('auto', true)).toBe('pretty');
    expect(resolveFormat('auto', false)).toBe('json');
    expect(resolveFormat('json', true)).toBe('json');
    expect(resolveFormat('pretty', false)).toBe('pretty');
    const s = sink();
    new PinoLogger(createPino({ level: 'info', format: 'auto', node: 'n1', destination: s.stream, isTTY: false })).info('x');
    expect(s.lines()).toEqual([expect.objectContaining({ msg: 'x', node: 'n1' })]);
  });

  it('refuses a bad option with INVALID_CONFIG naming it', () => {
    expect(() => pinoLogger({ format: 'xml' as 'json' })).toThrow(DynamisError);
    expect(() => pinoLogger({ format: 'xml' as 'json' })).toThrow(/format/);
    expect(() => pinoLogger({ colors: true } as never)).toThrow(/colors/);
  });
});
