import { existsSync } from 'node:fs';
import { createClient, RESP_TYPES } from 'redis';
import { benchTempDir, freePort, spawnReady, type BenchChild } from './processes';

/**
 * The redis-server configurations the bench compares with: persistence off,
 * an append-only file fsynced every second, and redis's own defaults (no
 * persistence option given: RDB snapshots by its default save points, no
 * append-only file), as a user who just starts redis-server runs it.
 */
export type RedisPersistence = 'none' | 'everysec' | 'defaults';

export const REDIS_PERSISTENCES: readonly RedisPersistence[] = ['none', 'everysec', 'defaults'];

const PERSISTENCE_ARGS: Readonly<Record<RedisPersistence, readonly string[]>> = {
  none: ['--save', '', '--appendonly', 'no'],
  everysec: ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
  defaults: [],
};

/** The calls the bench makes, on a client that returns values as Buffers. */
export interface RedisOps {
  set(key: string, value: Buffer): Promise<unknown>;
  get(key: string): Promise<Buffer | null>;
}

export interface RedisInstance {
  readonly persistence: RedisPersistence;
  /** One node-redis connection (it pipelines the commands issued in one tick, as DynamisClient shares one connection). */
  readonly client: RedisOps;
  readonly pid: number;
  /** Its port on 127.0.0.1. */
  readonly port: number;
  stop(): Promise<void>;
}

/** True when `binary` exists (the redis column is skipped otherwise). */
export function redisAvailable(binary: string): boolean {
  return existsSync(binary);
}

/**
 * Starts `binary` on 127.0.0.1 on a free port, in a temporary directory,
 * with persistence off (`--save '' --appendonly no`), an append-only file
 * fsynced every second (`--appendonly yes --appendfsync everysec`) or its
 * defaults (no persistence argument), and connects one node-redis client
 * (values as Buffers).
 */
export async function startRedis(binary: string, persistence: RedisPersistence): Promise<RedisInstance> {
  const port = await freePort();
  const dir = benchTempDir(`redis-${persistence}`);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', ...PERSISTENCE_ARGS[persistence]];
  const { proc } = await spawnReady(`redis-server (${persistence})`, binary, args, /Ready to accept connections/);
  const connection = createClient({ socket: { host: '127.0.0.1', port } });
  connection.on('error', (err: Error) => process.stderr.write(`redis client (${persistence}): ${err.message}\n`));
  await connection.connect();
  const client = connection.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  return { persistence, client, pid: proc.child.pid!, port, stop: () => stopBoth(connection, proc) };
}

async function stopBoth(connection: { close(): Promise<void> }, proc: BenchChild): Promise<void> {
  await connection.close().catch(() => undefined);
  await proc.stop();
}
