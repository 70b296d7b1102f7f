import { afterAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'redis';
import { stopAll } from './processes';
import { REDIS_PERSISTENCES, redisAvailable, startRedis, type RedisPersistence } from './redisServer';

const BINARY = '/usr/bin/redis-server';

/** What each configuration must show in CONFIG GET (redis 7's own defaults for 'defaults'). */
const EXPECTED: Record<RedisPersistence, { save: string; appendonly: string; appendfsync: string }> = {
  none: { save: '', appendonly: 'no', appendfsync: 'everysec' },
  everysec: { save: '', appendonly: 'yes', appendfsync: 'everysec' },
  defaults: { save: '3600 1 300 100 60 10000', appendonly: 'no', appendfsync: 'everysec' },
};

// A real redis-server process; skipped (and said so) where Debian's redis-server is not installed.
const withRedis = redisAvailable(BINARY) ? describe : describe.skip;

withRedis('startRedis (a real redis-server)', () => {
  afterAll(() => stopAll());

  it.each(REDIS_PERSISTENCES)('%s: runs with the persistence settings it is named after, and serves SET/GET', async (persistence) => {
    const r = await startRedis(BINARY, persistence);
    const probe = createClient({ socket: { host: '127.0.0.1', port: r.port } });
    try {
      await probe.connect();
      const config = await probe.configGet(['save', 'appendonly', 'appendfsync']);
      expect({ save: config.save, appendonly: config.appendonly, appendfsync: config.appendfsync }).toEqual(EXPECTED[persistence]);
      await r.client.set('k', Buffer.from('v1'));
      expect(await r.client.get('k')).toEqual(Buffer.from('v1'));
    } finally {
      await probe.close();
      await r.stop();
    }
  });
});
