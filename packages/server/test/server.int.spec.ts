import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamisClient, provablyNotApplied } from '@dynamis/client';
import { isDynamisError } from '@dynamis/core';
import { rmSync } from 'node:fs';
import { CLIENT_TOKEN, startServerProcess, tempDir, type ServerProcess } from './serverProcess';
import { BOOT_MS } from './clusterHarness';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined): string => (b === undefined ? '(none)' : Buffer.from(b).toString());
const MAX_VALUE = 64 * 1024;
const MAX_KEY = 64;

describe('a client against a real node process', () => {
  let server: ServerProcess;
  let client: DynamisClient;

  beforeAll(async () => {
    server = await startServerProcess(
      { nodeId: 'it-node', limits: { maxValueBytes: MAX_VALUE, maxKeyBytes: MAX_KEY }, log: { level: 'warn' } },
      ['--port', '0'],
    );
    client = await DynamisClient.connect({ nodes: [server.address], token: CLIENT_TOKEN, timeoutMs: 5000 });
  }, BOOT_MS);

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  it('puts, gets and deletes', async () => {
    const w = await client.put('user/1', text('ada'));
    expect(w.acks).toBe(1);
    const r = await client.get('user/1');
    expect(r).toMatchObject({ found: true });
    expect(r.values.map(str)).toEqual(['ada']);
    expect(r.siblings[0]!.writtenAt).toBeGreaterThan(0);
    await client.delete('user/1');
    await expect(client.get('user/1')).resolves.toMatchObject({ found: false, values: [] });
    await expect(client.delete('never/written')).resolves.toMatchObject({ acks: 1 });
  });

  it('applies a batch and answers per op', async () => {
    await client.put('b/old', text('x'));
    const results = await client.batch([
      { type: 'put', key: 'b/1', value: text('one') },
      { type: 'put', key: 'b/2', value: text('two'), ttlMs: 60_000 },
      { type: 'del', key: 'b/old' },
    ]);
    expect(results).toHaveLength(3);
    expect((await client.get('b/1')).values.map(str)).toEqual(['one']);
    expect((await client.get('b/2')).siblings[0]!.expiresAt).toBeGreaterThan(Date.now());
    expect((await client.get('b/old')).found).toBe(false);
  });

  it('supports put-if-absent and put-if-version, with CONFLICT from the node', async () => {
    await client.putIfAbsent('cas', text('v1'));
    await expect(client.putIfAbsent('cas', text('v2'))).rejects.toMatchObject({ code: 'CONFLICT' });
    const read = await client.get('cas');
    await client.putIfVersion('cas', text('v2'), read.context);
    await expect(client.putIfVersion('cas', text('v3'), read.context)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await client.get('cas')).values.map(str)).toEqual(['v2']);
  });

  it('gets VALUE_TOO_LARGE from the node for an oversize value, and the node keeps serving', async () => {
    // The client's own limit (1 MiB) lets it through: the node's (64 KiB) must catch it.
    const err = await client.put('big', new Uint8Array(MAX_VALUE + 1)).catch((e: unknown) => e);
    expect(isDynamisError(err, 'VALUE_TOO_LARGE')).toBe(true);
    expect(err).toMatchObject({ details: { bytes: MAX_VALUE + 1, max: MAX_VALUE } });
    await expect(client.get('big')).resolves.toMatchObject({ found: false });
    await client.put('after-big', new Uint8Array(MAX_VALUE));
    expect((await client.get('after-big')).values[0]).toHaveLength(MAX_VALUE);
    const other = await DynamisClient.connect({ nodes: [server.address], token: CLIENT_TOKEN });
    await expect(other.get('after-big')).resolves.toMatchObject({ found: true });
    await other.close();
  });

  it("accepts a key of exactly the node's maxKeyBytes and refuses one byte more with INVALID_KEY, and keeps serving", async () => {
    // This client allows larger keys than the node (64 bytes), so the node's own check is the one hit.
    const wide = await DynamisClient.connect({ nodes: [server.address], token: CLIENT_TOKEN, limits: { maxKeyBytes: 1024 } });
    try {
      const atLimit = 'é'.repeat(MAX_KEY / 2); // 64 UTF-8 bytes, 32 characters
      await wide.put(atLimit, text('at-limit'));
      expect((await wide.get(atLimit)).values.map(str)).toEqual(['at-limit']);
      for (const over of [atLimit + 'x', 'k'.repeat(MAX_KEY + 1)]) {
        for (const op of [() => wide.put(over, text('x')), () => wide.get(over), () => wide.batch([{ type: 'del', key: over }])]) {
          const err = await op().catch((e: unknown) => e);
          expect(err).toMatchObject({ code: 'INVALID_KEY', details: { bytes: MAX_KEY + 1, max: MAX_KEY } });
        }
      }
      expect((await wide.get(atLimit)).found).toBe(true);
      // The same boundary, refused by the default client before sending when it is told the node's limit.
      const strict = await DynamisClient.connect({ nodes: [server.address], token: CLIENT_TOKEN, limits: { maxKeyBytes: MAX_KEY } });
      await expect(strict.get(atLimit)).resolves.toMatchObject({ found: true });
      await expect(strict.get(atLimit + 'x')).rejects.toMatchObject({ code: 'INVALID_KEY', details: { bytes: MAX_KEY + 1 } });
      await strict.close();
    } finally {
      await wide.close();
    }
  });

  it('refuses a client with a wrong token (UNAUTHORIZED)', async () => {
    await expect(DynamisClient.connect({ nodes: [server.address], token: 'not-the-right-token-000' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});

describe('configurations a node process refuses', () => {
  it('exits 1 without a client token, saying how to give one or to pass --no-clients, and starts with --no-clients', async () => {
    const noToken = { DYNAMIS_CLIENT_TOKEN: '' };
    const err = await startServerProcess({ log: { level: 'warn' } }, ['--port', '0'], undefined, 30_000, noToken).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/exited \(1\) before listening/);
    for (const hint of ['error INVALID_CONFIG', "'clientToken'", 'DYNAMIS_CLIENT_TOKEN', '--no-clients'])
      expect((err as Error).message).toContain(hint);
    const server = await startServerProcess({ log: { level: 'warn' } }, ['--port', '0', '--no-clients'], undefined, 30_000, noToken);
    await expect(DynamisClient.connect({ nodes: [server.address], token: CLIENT_TOKEN, retries: 0 })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await server.dispose();
  });

  it('exits 1 naming the options nothing reads (replication, seeds with the local coordinator)', async () => {
    const err = await startServerProcess({ replication: { n: 3 }, seeds: ['ws://127.0.0.1:1'] }, ['--port', '0']).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/exited \(1\) before listening/);
    expect((err as Error).message).toMatch(/error INVALID_CONFIG: .*options that nothing reads:\n {2}- seeds: .*\n {2}- replication: /s);
  });
});

describe('graceful shutdown of a node process (engine-lsm)', () => {
  it('on SIGTERM answers every write in flight, exits 0, and after a restart holds every acknowledged write and none refused', async () => {
    const dir = tempDir();
    const config = { nodeId: 'drain-node', engine: 'lsm', log: { level: 'warn' } };
    let server: ServerProcess | undefined;
    let client: DynamisClient | undefined;
    try {
      server = await startServerProcess(config, ['--port', '0'], dir);
      client = await DynamisClient.connect({ nodes: [server.address], token: CLIENT_TOKEN, retries: 0, timeoutMs: 10_000 });
      const { acked, refused, others, settled } = await writeUntilShutdown(client, server);
      await client.close();
      expect(settled).toBe('settled'); // not 'deadline': every writer got its answer
      expect(await server.exited).toBe(0);
      expect(server.stdout()).toContain('SIGTERM: shutting down');
      expect(server.stdout()).toContain('stopped');
      expect(acked.length).toBeGreaterThanOrEqual(500);
      // Every write the client did not see acknowledged was refused in a way that proves it was not applied.
      expect(others).toEqual([]);
      expect(refused.length).toBeLessThanOrEqual(64);

      const again = await startServerProcess(config, ['--port', '0'], dir);
      const reader = await DynamisClient.connect({ nodes: [again.address], token: CLIENT_TOKEN });
      try {
        const missing = (await Promise.all(acked.map(async (k) => ((await reader.get(k)).values.map(str).includes(k) ? [] : [k])))).flat();
        expect(missing).toEqual([]);
        const resurrected = (await Promise.all(refused.map(async (k) => ((await reader.get(k)).found ? [k] : [])))).flat();
        expect(resurrected).toEqual([]);
      } finally {
        await reader.close();
        await again.dispose();
      }
    } finally {
      // On a failure before the shutdown: stop the writers (their requests fail NOT_OPEN) and the node.
      await client?.close();
      await server?.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Generous bounds for a loaded machine: a failure message instead of a hang, never a timing assertion. */
const ACKED_DEADLINE_MS = 60_000;
const SETTLE_DEADLINE_MS = 30_000;

/**
 * 64 writers put distinct keys (value = key) until each gets an error; once
 * 500 writes are acknowledged the server gets SIGTERM. Returns the keys
 * acknowledged, the keys refused as provably not applied, any other error, and
 * whether every writer settled within SETTLE_DEADLINE_MS of the server's exit.
 * Throws if 500 writes are not acknowledged within ACKED_DEADLINE_MS, or if
 * every writer stopped before that.
 */
async function writeUntilShutdown(
  client: DynamisClient,
  server: ServerProcess,
): Promise<{ acked: string[]; refused: string[]; others: unknown[]; settled: string }> {
  const acked: string[] = [];
  const refused: string[] = [];
  const others: unknown[] = [];
  let reached: () => void = () => undefined;
  const fiveHundred = new Promise<string>((resolve) => (reached = () => resolve('reached')));
  let n = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = `k${n++}`;
      try {
        await client.put(key, text(key));
        acked.push(key);
        if (acked.length === 500) reached();
      } catch (err) {
        if (isDynamisError(err, 'UNAVAILABLE') && provablyNotApplied(err)) refused.push(key);
        else others.push(err);
        return;
      }
    }
  };
  const workers = Array.from({ length: 64 }, worker);
  const all = Promise.all(workers).then(() => 'stopped');
  const first = await raceDeadline(Promise.race([fiveHundred, all]), ACKED_DEADLINE_MS);
  if (first !== 'reached') {
    const why = first === 'stopped' ? 'every writer stopped' : `not within ${ACKED_DEADLINE_MS} ms`;
    throw new Error(`only ${acked.length} of 500 writes acknowledged before SIGTERM (${why}); errors: ${others.map(String).join('; ')}`);
  }
  server.child.kill('SIGTERM');
  await server.exited;
  const settled = await raceDeadline(
    all.then(() => 'settled'),
    SETTLE_DEADLINE_MS,
  );
  return { acked, refused, others, settled };
}

/** `p`'s value, or 'deadline' if it has not settled after `ms`. */
async function raceDeadline(p: Promise<string>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('deadline'), ms)));
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
