import { afterEach, describe, expect, it } from '@jest/globals';
import { plaintextWarning } from './plaintextWarning';
import { startServer } from './startServer';

const SECRET = 'server-secret-0123456789';
const TOKEN = 'client-token-0123456789';

describe('the warning for plain ws beyond loopback', () => {
  it('warns for a non-loopback address without TLS, never for loopback or TLS', () => {
    expect(plaintextWarning('ws://0.0.0.0:7070', undefined)).toContain('without TLS');
    expect(plaintextWarning('ws://10.1.2.3:7070', undefined)).toContain('ws://10.1.2.3:7070');
    expect(plaintextWarning('ws://[::]:7070', undefined)).toContain('without TLS');
    expect(plaintextWarning('ws://127.0.0.1:7070', undefined)).toBeUndefined();
    expect(plaintextWarning('ws://127.8.9.10:7070', undefined)).toBeUndefined();
    expect(plaintextWarning('ws://[::1]:7070', undefined)).toBeUndefined();
    expect(plaintextWarning('ws://localhost:7070', undefined)).toBeUndefined();
    expect(plaintextWarning('wss://0.0.0.0:7070', { cert: 'c', key: 'k' })).toBeUndefined();
  });

  describe('at start', () => {
    const lines: string[] = [];
    afterEach(() => {
      lines.length = 0;
    });
    async function startAndStop(host: string): Promise<string[]> {
      const server = await startServer(
        { secret: SECRET, clientToken: TOKEN, listen: { host, port: 0 }, log: { level: 'warn' }, logFormat: 'json', shutdownLingerMs: 0 },
        { logDestination: { write: (line: string) => void lines.push(line) } },
      );
      await server.stop();
      return lines.filter((l) => l.includes('without TLS'));
    }

    it('logs it once for a node on 0.0.0.0', async () => {
      const warnings = await startAndStop('0.0.0.0');
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn', component: 'server' });
    });

    it('logs nothing for a node on 127.0.0.1', async () => {
      expect(await startAndStop('127.0.0.1')).toEqual([]);
    });
  });
});
