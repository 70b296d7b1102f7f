import { describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clusterFigures, fetchStatus } from './clusterFigures';

/** A node's admin /status body as @dynamis/admin serves it (the fields clusterFigures reads, and others). */
function status(engine: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    node: 'n1',
    status: 'ok',
    uptime: 3,
    stats: {
      engine,
      coordinator: { readRepairs: 3, readRepairsSkipped: 0, forwarded: 1 },
      anti_entropy: { exchanges: 2, nodesCompared: 9, keysSent: 4, keysReceived: 1, bytesTransferred: 700 },
      transport: { peers: { n2: { sent: 1 } } },
      ...extra,
    },
    errors: {},
  };
}

const lsm = (user: number, wal: number, flush: number, compaction: number, sst: number, spaceAmp: number) => ({
  engine: 'lsm',
  approximateBytes: 1,
  counters: {
    userBytesWritten: user,
    walBytesWritten: wal,
    flushBytes: flush,
    compactionBytesWritten: compaction,
    sstBytes: sst,
    spaceAmplification: spaceAmp,
  },
});

describe('clusterFigures', () => {
  it('sums the engines’ bytes over the nodes: write amp. = disk bytes / user bytes, space amp. = SST bytes / live bytes', () => {
    const f = clusterFigures([status(lsm(1000, 1100, 900, 500, 1200, 1.5)), status(lsm(1000, 1100, 700, 0, 600, 1.2))]);
    expect(f.storage).toEqual({
      engine: 'lsm',
      writeAmplification: (1100 + 900 + 500 + 1100 + 700) / 2000,
      spaceAmplification: 1800 / (1200 / 1.5 + 600 / 1.2),
      userBytesWritten: 2000,
      diskBytesWritten: 4300,
      sstBytes: 1800,
    });
    expect(f.repair).toEqual({ readRepairs: 6, antiEntropyBytes: 1400, antiEntropyKeys: 10 });
  });

  it('says n/a (null) for what a node does not export, never 0', () => {
    const memory = { engine: 'memory', approximateBytes: 10, counters: { keys: 3 } };
    const f = clusterFigures([status(memory, { anti_entropy: undefined }), status(memory)]);
    expect(f.storage).toEqual({
      engine: 'memory',
      writeAmplification: null,
      spaceAmplification: null,
      userBytesWritten: null,
      diskBytesWritten: null,
      sstBytes: null,
    });
    expect(f.repair).toEqual({ readRepairs: 6, antiEntropyBytes: null, antiEntropyKeys: null });
    // Nothing flushed yet: no SSTable, so no space amplification; the WAL still counts as written.
    const fresh = clusterFigures([status(lsm(100, 130, 0, 0, 0, 0))]);
    expect(fresh.storage).toMatchObject({ writeAmplification: 1.3, spaceAmplification: null, sstBytes: 0 });
    expect(clusterFigures([{ not: 'a status' }]).storage.engine).toBe('unknown');
  });

  it('fetchStatus reads an admin /status, refusing a failed answer or an oversized body', async () => {
    const server: Server = createServer((req, res) => {
      if (req.url === '/status') res.end(JSON.stringify(status(lsm(1, 1, 0, 0, 0, 0))));
      else if (req.url === '/big/status') res.end('x'.repeat(64 * 1024));
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      expect(clusterFigures([await fetchStatus(base, 5000)]).storage.userBytesWritten).toBe(1);
      await expect(fetchStatus(`${base}missing/`, 5000)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('HTTP 404'),
      });
      await expect(fetchStatus(`${base}big/`, 5000, 1024)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('body over 1024 bytes'),
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
