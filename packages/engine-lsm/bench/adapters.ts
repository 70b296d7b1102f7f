// Engines under benchmark, behind one small interface. Each runs in its own
// child process (see dbBench.ts), so heaps and RSS do not mix.
import { NodeFileSystem, SystemClock, type StorageEngine } from '@dynamis/core';
import { MemoryStorageEngine } from '@dynamis/engine-memory';
import { ClassicLevel } from 'classic-level';

export interface BenchDb {
  readonly name: string;
  open(): Promise<void>;
  close(): Promise<void>;
  put(key: Uint8Array, value: Uint8Array, durable: boolean): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  del(key: Uint8Array): Promise<void>;
  batch(entries: Array<[Uint8Array, Uint8Array]>): Promise<void>;
  /** Full forward scan; returns the number of entries seen. */
  scan(): Promise<number>;
  /** Extra figures (write amplification, ...) after the run. */
  figures(): Record<string, number>;
}

const CACHE_BYTES = 8 * 1024 * 1024;
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

/** Reads a cursor to its end in pages of 1000 and closes it; returns the entries seen. */
async function countEntries(it: { nextv(size: number): Promise<unknown[]>; close(): Promise<void> }): Promise<number> {
  let n = 0;
  for (;;) {
    const chunk = await it.nextv(1000);
    if (chunk.length === 0) break;
    n += chunk.length;
  }
  await it.close();
  return n;
}

/** A Dynamis StorageEngine (engine-lsm or engine-memory) as a BenchDb. */
class PortDb implements BenchDb {
  constructor(
    readonly name: string,
    private readonly engine: StorageEngine,
  ) {}
  open(): Promise<void> {
    return this.engine.open();
  }
  close(): Promise<void> {
    return this.engine.close();
  }
  put(key: Uint8Array, value: Uint8Array, durable: boolean): Promise<void> {
    return durable ? this.engine.put(key, value, { sync: true }) : this.engine.put(key, value);
  }
  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.engine.get(key);
  }
  del(key: Uint8Array): Promise<void> {
    return this.engine.delete(key);
  }
  batch(entries: Array<[Uint8Array, Uint8Array]>): Promise<void> {
    return this.engine.write(entries.map(([key, value]) => ({ type: 'put' as const, key, value })));
  }
  scan(): Promise<number> {
    return countEntries(this.engine.iterator());
  }
  figures(): Record<string, number> {
    return { ...this.engine.stats().counters };
  }
}

class ClassicLevelDb implements BenchDb {
  readonly name = 'classic-level';
  private readonly db: ClassicLevel<Uint8Array, Uint8Array>;
  constructor(dir: string) {
    this.db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      cacheSize: CACHE_BYTES,
      writeBufferSize: WRITE_BUFFER_BYTES,
      blockSize: 4096,
      compression: false,
    });
  }
  open(): Promise<void> {
    return this.db.open();
  }
  close(): Promise<void> {
    return this.db.close();
  }
  put(key: Uint8Array, value: Uint8Array, durable: boolean): Promise<void> {
    return durable ? this.db.put(key, value, { sync: true }) : this.db.put(key, value);
  }
  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.get(key);
  }
  del(key: Uint8Array): Promise<void> {
    return this.db.del(key);
  }
  batch(entries: Array<[Uint8Array, Uint8Array]>): Promise<void> {
    return this.db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })));
  }
  scan(): Promise<number> {
    return countEntries(this.db.iterator());
  }
  figures(): Record<string, number> {
    return {};
  }
}

/** lmdb-js: memory-mapped B+tree, the read reference (reads are synchronous underneath). */
class LmdbDb implements BenchDb {
  readonly name = 'lmdb';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private db: any;
  constructor(private readonly dir: string) {}
  async open(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { open } = require('lmdb') as { open: (o: object) => unknown };
    this.db = open({ path: this.dir, keyEncoding: 'binary', encoding: 'binary', noSync: true });
  }
  async close(): Promise<void> {
    await this.db.close();
  }
  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.db.put(Buffer.from(key), value);
  }
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.get(Buffer.from(key));
  }
  async del(key: Uint8Array): Promise<void> {
    await this.db.remove(Buffer.from(key));
  }
  async batch(entries: Array<[Uint8Array, Uint8Array]>): Promise<void> {
    this.db.transactionSync(() => {
      for (const [k, v] of entries) this.db.putSync(Buffer.from(k), v);
    });
  }
  async scan(): Promise<number> {
    let n = 0;
    for (const _ of this.db.getRange({})) n++;
    return n;
  }
  figures(): Record<string, number> {
    return {};
  }
}

export type EngineName = 'lsm' | 'lsm-pread' | 'classic-level' | 'memory' | 'lmdb';

/** Creates the engine `name` in `dir`, with `fsync` for engine-lsm. */
export function createBenchDb(name: EngineName, dir: string, fsync: 'always' | 'interval' | 'none'): BenchDb {
  switch (name) {
    case 'classic-level':
      return new ClassicLevelDb(dir);
    case 'lmdb':
      return new LmdbDb(dir);
    case 'memory':
      return new PortDb('engine-memory', new MemoryStorageEngine());
    case 'lsm':
    case 'lsm-pread': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { LsmStorageEngine } = require('@dynamis/engine-lsm') as { LsmStorageEngine: new (...args: unknown[]) => StorageEngine };
      // 'lsm' runs with the default residentTableBytes (tables whole in memory, as LevelDB mmaps
      // them); 'lsm-pread' with none, every block read through pread and the 8 MiB block cache.
      const resident = name === 'lsm-pread' ? { residentTableBytes: 0 } : {};
      const engine = new LsmStorageEngine(
        new NodeFileSystem(),
        dir,
        { fsync, blockCacheBytes: CACHE_BYTES, memtableBytes: WRITE_BUFFER_BYTES, ...resident },
        new SystemClock(),
      );
      return new PortDb(name === 'lsm' ? 'engine-lsm' : 'engine-lsm (pread)', engine);
    }
  }
}
