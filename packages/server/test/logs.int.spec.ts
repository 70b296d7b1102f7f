import { afterAll, describe, expect, it } from '@jest/globals';
import { startServerProcess, type ServerProcess } from './serverProcess';

/** Polls `cond` every 20 ms until true; rejects naming `what` after `timeoutMs`. */
async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The node's log lines through @dynamis/log-pino, as a process writes them to stderr (a pipe here, not a terminal). */
describe('dynamis-server logs (pino)', () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.dispose()));
  });

  it('JSON lines by default off a terminal: level, time, node, msg; below log.level nothing', async () => {
    const s = await startServerProcess({ nodeId: 'log-n1', log: { level: 'info' } }, ['--port', '0']);
    servers.push(s);
    await until('the node started line', () => s.stderr().includes('node started'));
    const lines = s
      .stderr()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', time: expect.any(Number), node: 'log-n1', msg: 'node started' }));
    expect(lines.filter((l) => l.level === 'debug')).toEqual([]);
  });

  it('--log-format pretty: human-readable lines', async () => {
    const s = await startServerProcess({ nodeId: 'log-n2', log: { level: 'info' } }, ['--port', '0', '--log-format', 'pretty']);
    servers.push(s);
    await until('the node started line', () => s.stderr().includes('node started'));
    expect(s.stderr()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: node started\n {4}node: "log-n2"/m);
    expect(s.stderr()).not.toMatch(/^\{/m);
  });
});
