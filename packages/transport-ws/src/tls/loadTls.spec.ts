import { afterAll, describe, expect, it } from '@jest/globals';
import { DynamisError } from '@dynamis/core';
import { clock, quietLogger, random, SECRET } from '../../test/helpers';
import { TestPki } from '../../test/tlsFiles';
import { WsClient } from '../WsClient';
import { WsTransport } from '../WsTransport';
import { loadTls } from './loadTls';

const WHERE = 'options of @dynamis/transport-ws';
const DAY = 86_400_000;

describe('tls option validation', () => {
  const pki = new TestPki();
  const good = pki.node('n1', 'cluster');
  const other = pki.node('n2', 'other');
  afterAll(() => pki.remove());

  function problem(fn: () => unknown): { path: string; message: string } {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(DynamisError);
      expect((err as DynamisError).code).toBe('INVALID_CONFIG');
      const problems = (err as DynamisError).details?.problems as Array<{ path: string; message: string }>;
      expect((err as Error).message).toContain(problems[0]!.message);
      return problems[0]!;
    }
    throw new Error('expected INVALID_CONFIG');
  }

  it('loads a matching certificate, key and CA', () => {
    const m = loadTls({ ...good, mutual: true }, WHERE, clock.now());
    expect(m.mutual).toBe(true);
    expect(m.cert?.toString()).toContain('BEGIN CERTIFICATE');
    expect(m.ca?.toString()).toContain('BEGIN CERTIFICATE');
  });

  it('names the option and the path of a missing file', () => {
    const missing = `${pki.dir}/nope.pem`;
    for (const option of ['cert', 'key', 'ca'] as const) {
      const p = problem(() => loadTls({ ...good, [option]: missing }, WHERE, clock.now()));
      expect(p.path).toBe(`tls.${option}`);
      expect(p.message).toContain(missing);
      expect(p.message).toContain('ENOENT');
    }
  });

  it('refuses a file that holds no PEM certificate or key', () => {
    const junk = pki.file('junk.pem', 'not a certificate\n');
    expect(problem(() => loadTls({ ...good, cert: junk }, WHERE, clock.now())).path).toBe('tls.cert');
    expect(problem(() => loadTls({ ...good, ca: junk }, WHERE, clock.now())).path).toBe('tls.ca');
    const p = problem(() => loadTls({ ...good, key: junk }, WHERE, clock.now()));
    expect(p).toMatchObject({ path: 'tls.key' });
    expect(p.message).toContain('no usable PEM private key');
  });

  it('refuses a key that does not belong to the certificate', () => {
    const p = problem(() => loadTls({ ...good, key: other.key }, WHERE, clock.now()));
    expect(p.path).toBe('tls.key');
    expect(p.message).toContain('does not match tls.cert');
  });

  it('refuses an expired certificate and one not valid yet', () => {
    const now = clock.now();
    const old = pki.node('old', 'cluster', 'cluster', { nowMs: now - 10 * DAY, validDays: 2 });
    expect(problem(() => loadTls(old, WHERE, now)).message).toContain('expired on');
    expect(problem(() => loadTls(good, WHERE, now - 10 * DAY)).message).toContain('is not valid before');
  });

  it('WsTransport and WsClient refuse bad tls options at construction, INVALID_CONFIG', () => {
    const make = (tls: unknown) => () => new WsTransport('n1', { secret: SECRET, tls } as never, clock, random, quietLogger);
    expect(problem(make({ cert: good.cert, key: good.key, mutual: true })).path).toBe('tls.ca'); // mutual needs a CA
    expect(problem(make({ cert: good.cert })).path).toBe('tls.key');
    expect(problem(make({ ...good, requestCert: true })).path).toBe('tls'); // unknown key
    expect(problem(make({ ...good, cert: `${pki.dir}/gone.pem` })).message).toContain('gone.pem');
    const client = (tls: unknown) => () => new WsClient({ address: 'h:1', clientId: 'c', token: SECRET, tls } as never, clock, quietLogger);
    expect(problem(client({ ca: `${pki.dir}/gone.pem` })).path).toBe('tls.ca');
    expect(problem(client({ ca: good.ca, cert: good.cert })).path).toBe('tls'); // clients present no certificate
  });
});
