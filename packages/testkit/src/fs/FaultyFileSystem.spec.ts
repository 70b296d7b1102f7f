import { describe, expect, it } from '@jest/globals';
import { DynamisError, fromUtf8, utf8 } from '@dynamis/core';
import { fileSystemContract } from '../contracts/fileSystem';
import { FaultyFileSystem } from './FaultyFileSystem';

fileSystemContract('FaultyFileSystem', () => {
  const fs = new FaultyFileSystem();
  fs.mkdirp('/db');
  return { fs, root: '/db' };
});

function fresh(): FaultyFileSystem {
  const fs = new FaultyFileSystem();
  fs.mkdirp('/db');
  return fs;
}

const read = (fs: FaultyFileSystem, path: string): string => fromUtf8(fs.readFile(path));

function caught(fn: () => unknown): DynamisError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DynamisError) return err;
    throw err;
  }
  throw new Error('expected a DynamisError');
}

describe('FaultyFileSystem crash model', () => {
  describe('file data', () => {
    it('keeps synced bytes and drops unsynced ones', async () => {
      const fs = fresh();
      const w = fs.create('/db/wal');
      await fs.syncDir('/db');
      w.append(utf8('durable|'));
      await w.sync();
      w.append(utf8('lost'));
      fs.crash();
      expect(read(fs, '/db/wal')).toBe('durable|');
    });

    it('keep-random-prefix keeps a prefix of the unsynced tail (a torn write)', async () => {
      const fs = fresh();
      const w = fs.create('/db/wal');
      await fs.syncDir('/db');
      w.append(utf8('AAAA'));
      await w.sync();
      w.append(utf8('0123456789'));
      fs.crash({ unsyncedTail: 'keep-random-prefix', random: () => 0.5 });
      expect(read(fs, '/db/wal')).toBe('AAAA01234');
      // the kept prefix is on disk now: a second crash keeps it
      fs.crash();
      expect(read(fs, '/db/wal')).toBe('AAAA01234');
    });

    it('keep-random-prefix spans nothing to everything', async () => {
      for (const [r, expected] of [
        [0, 'AB'],
        [0.999999, 'ABcdef'],
      ] as const) {
        const fs = new FaultyFileSystem({ random: () => r });
        const w = fs.create('f');
        await fs.syncDir('/');
        w.append(utf8('AB'));
        await w.sync();
        w.append(utf8('cdef'));
        fs.crash({ unsyncedTail: 'keep-random-prefix' });
        expect(read(fs, 'f')).toBe(expected);
      }
    });

    it('keep-random-prefix without a random function is INVALID_ARGUMENT', () => {
      expect(caught(() => fresh().crash({ unsyncedTail: 'keep-random-prefix' })).code).toBe('INVALID_ARGUMENT');
    });

    it('a truncation by create is undone unless synced', async () => {
      const fs = fresh();
      const w = fs.create('/db/CURRENT');
      w.append(utf8('old'));
      await w.sync();
      await fs.syncDir('/db');
      fs.create('/db/CURRENT').append(utf8('new'));
      fs.crash({ unsyncedTail: 'keep-random-prefix', random: () => 0.99 });
      expect(read(fs, '/db/CURRENT')).toBe('old');
      const w2 = fs.create('/db/CURRENT');
      w2.append(utf8('new'));
      await w2.sync();
      fs.crash();
      expect(read(fs, '/db/CURRENT')).toBe('new');
    });
  });

  describe('directory entries', () => {
    it('a created file disappears unless its directory was synced, even with synced data', async () => {
      const fs = fresh();
      const w = fs.create('/db/000001.log');
      w.append(utf8('x'));
      await w.sync();
      fs.crash();
      expect(fs.exists('/db/000001.log')).toBe(false);
      expect(fs.list('/db')).toEqual([]);
    });

    it('a dir-synced file survives with only its synced data', async () => {
      const fs = fresh();
      const w = fs.create('/db/f');
      w.append(utf8('unsynced'));
      await fs.syncDir('/db');
      fs.crash();
      expect(fs.list('/db')).toEqual(['f']);
      expect(fs.size('/db/f')).toBe(0);
    });

    it('a rename reverts unless the directory was synced; it is atomic either way', async () => {
      const fs = fresh();
      for (const [name, content] of [
        ['CURRENT', 'MANIFEST-1'],
        ['CURRENT.tmp', 'MANIFEST-2'],
      ] as const) {
        const w = fs.create(`/db/${name}`);
        w.append(utf8(content));
        await w.sync();
      }
      await fs.syncDir('/db');
      fs.rename('/db/CURRENT.tmp', '/db/CURRENT');
      fs.crash();
      expect(fs.list('/db')).toEqual(['CURRENT', 'CURRENT.tmp']);
      expect(read(fs, '/db/CURRENT')).toBe('MANIFEST-1');
      expect(read(fs, '/db/CURRENT.tmp')).toBe('MANIFEST-2');

      fs.rename('/db/CURRENT.tmp', '/db/CURRENT');
      await fs.syncDir('/db');
      fs.crash();
      expect(fs.list('/db')).toEqual(['CURRENT']);
      expect(read(fs, '/db/CURRENT')).toBe('MANIFEST-2');
    });

    it('a removed file comes back unless the directory was synced', async () => {
      const fs = fresh();
      const w = fs.create('/db/old.sst');
      w.append(utf8('table'));
      await w.sync();
      await fs.syncDir('/db');
      fs.remove('/db/old.sst');
      fs.crash();
      expect(read(fs, '/db/old.sst')).toBe('table');
      fs.remove('/db/old.sst');
      await fs.syncDir('/db');
      fs.crash();
      expect(fs.exists('/db/old.sst')).toBe(false);
    });

    it('syncDir covers only its own directory', async () => {
      const fs = fresh();
      fs.mkdirp('/db/sub');
      await fs.create('/db/top').close();
      await fs.create('/db/sub/inner').close();
      await fs.syncDir('/db');
      fs.crash();
      expect(fs.list('/db')).toEqual(['sub', 'top']);
      expect(fs.list('/db/sub')).toEqual([]);
    });

    it('mkdirp and removeTree are durable at once', async () => {
      const fs = fresh();
      fs.mkdirp('/db/a/b');
      fs.mkdirp('/gone');
      const w = fs.create('/gone/f');
      await fs.syncDir('/gone');
      await w.close();
      fs.removeTree('/gone');
      fs.crash();
      expect(fs.exists('/db/a/b')).toBe(true);
      expect(fs.exists('/gone')).toBe(false);
    });
  });

  describe('the crashed process', () => {
    it('invalidates every handle opened before the crash', async () => {
      const fs = fresh();
      const w = fs.create('/db/f');
      w.append(utf8('abc'));
      await w.sync();
      await fs.syncDir('/db');
      const r = fs.openRead('/db/f');
      fs.crash();
      const e = caught(() => w.append(utf8('x')));
      expect(e.code).toBe('IO_ERROR');
      expect(e.details).toMatchObject({ path: '/db/f', errno: 'EBADF', crashed: true });
      await expect(w.sync()).rejects.toMatchObject({ code: 'IO_ERROR' });
      await expect(w.close()).rejects.toMatchObject({ code: 'IO_ERROR' });
      expect(caught(() => r.read(0, 1)).code).toBe('IO_ERROR');
      expect(caught(() => r.close()).code).toBe('IO_ERROR');
      const w2 = fs.openAppend('/db/f');
      w2.append(utf8('d'));
      expect(read(fs, '/db/f')).toBe('abcd');
      expect(fromUtf8(fs.openRead('/db/f').read(0, 10))).toBe('abcd');
    });

    it('releases every lock; an old release is then a no-op', () => {
      const fs = fresh();
      const old = fs.lock('/db/LOCK');
      fs.crash();
      const fresh2 = fs.lock('/db/LOCK');
      old.release();
      expect(caught(() => fs.lock('/db/LOCK')).code).toBe('UNAVAILABLE');
      fresh2.release();
    });
  });

  describe('corrupt', () => {
    it('flips bits in stored data, and the flip survives a crash when synced', async () => {
      const fs = fresh();
      const w = fs.create('/db/t');
      w.append(Uint8Array.of(0x00, 0x0f, 0xaa));
      await w.sync();
      await fs.syncDir('/db');
      fs.corrupt('/db/t', 0);
      fs.corrupt('/db/t', 2, 0x01);
      expect([...fs.readFile('/db/t')]).toEqual([0xff, 0x0f, 0xab]);
      fs.crash();
      expect([...fs.readFile('/db/t')]).toEqual([0xff, 0x0f, 0xab]);
    });

    it('rejects an offset outside the file and a missing file', () => {
      const fs = fresh();
      fs.create('/db/t').append(utf8('ab'));
      expect(caught(() => fs.corrupt('/db/t', 2)).code).toBe('INVALID_ARGUMENT');
      expect(caught(() => fs.corrupt('/db/t', -1)).code).toBe('INVALID_ARGUMENT');
      expect(caught(() => fs.corrupt('/db/none', 0)).details.errno).toBe('ENOENT');
    });
  });

  describe('failNext', () => {
    it('fails the next call once, with no effect', () => {
      const fs = fresh();
      const w = fs.create('/db/f');
      fs.failNext('append');
      const e = caught(() => w.append(utf8('lost')));
      expect(e.code).toBe('IO_ERROR');
      expect(e.details).toEqual({ path: '/db/f', errno: 'EIO', injected: true });
      expect(w.size).toBe(0);
      w.append(utf8('kept'));
      expect(read(fs, '/db/f')).toBe('kept');
    });

    it('a failed sync or syncDir makes nothing durable', async () => {
      const fs = fresh();
      const w = fs.create('/db/f');
      fs.failNext('syncDir');
      await expect(fs.syncDir('/db')).rejects.toMatchObject({ code: 'IO_ERROR' });
      await fs.syncDir('/db');
      w.append(utf8('data'));
      fs.failNext('sync');
      await expect(w.sync()).rejects.toMatchObject({ code: 'IO_ERROR' });
      fs.crash();
      expect(fs.size('/db/f')).toBe(0);
    });

    it('queues faults, takes a custom error, and can be cleared', () => {
      const fs = fresh();
      const custom = new Error('disk full');
      fs.failNext('rename', custom);
      fs.failNext('rename');
      fs.create('/db/a');
      expect(() => fs.rename('/db/a', '/db/b')).toThrow(custom);
      expect(caught(() => fs.rename('/db/a', '/db/b')).code).toBe('IO_ERROR');
      fs.failNext('readFile');
      fs.clearFaults();
      fs.rename('/db/a', '/db/b');
      expect(fs.readFile('/db/b').length).toBe(0);
    });

    it('counts operations', async () => {
      const fs = fresh();
      const w = fs.create('/db/f');
      w.append(utf8('abc'));
      w.append(utf8('de'));
      await w.sync();
      await fs.syncDir('/db');
      fs.failNext('sync');
      await expect(w.sync()).rejects.toBeInstanceOf(DynamisError);
      fs.crash();
      expect(fs.stats).toEqual({ appends: 2, appendedBytes: 5, syncs: 1, syncDirs: 1, crashes: 1, injectedFaults: 1 });
    });
  });
});
