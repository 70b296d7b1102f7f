import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamisError, fromUtf8, utf8 } from '@dynamis/core';
import type { ErrorCode, FileSystem } from '@dynamis/core';

/** What a FileSystem under test hands the suite; `root` is an existing, empty directory. */
export interface FileSystemFixture {
  fs: FileSystem;
  root: string;
  cleanup?: () => Promise<void>;
}

/** Runs `fn` and returns the DynamisError it throws, failing the test if it throws anything else. */
function thrown(fn: () => unknown, code: ErrorCode): DynamisError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DynamisError);
  expect((caught as DynamisError).code).toBe(code);
  return caught as DynamisError;
}

function text(bytes: Uint8Array): string {
  return fromUtf8(bytes);
}

/**
 * The contract every FileSystem implementation must pass: one call per
 * implementation, e.g.
 * `fileSystemContract('MemoryFileSystem', () => ({ fs, root: '/db' }))`.
 * `factory` runs before each test and must return a fresh, empty `root`;
 * `cleanup` (if any) runs after it. Durability is not checked here (it needs
 * a crash); FaultyFileSystem's own tests check its crash model.
 */
export function fileSystemContract(name: string, factory: () => FileSystemFixture): void {
  describe(`FileSystem contract: ${name}`, () => {
    let fs: FileSystem;
    let root: string;
    let fixture: FileSystemFixture;
    const at = (rel: string): string => `${root}/${rel}`;

    beforeEach(() => {
      fixture = factory();
      fs = fixture.fs;
      root = fixture.root;
    });
    afterEach(async () => {
      await fixture.cleanup?.();
    });

    describe('create / openAppend / append', () => {
      it('create makes an empty file and appends are read back in order', async () => {
        const w = fs.create(at('a'));
        expect(w.path).toBe(at('a'));
        expect(w.size).toBe(0);
        expect(fs.size(at('a'))).toBe(0);
        w.append(utf8('hello '));
        w.append(utf8('world'));
        w.append(new Uint8Array(0));
        expect(w.size).toBe(11);
        expect(fs.size(at('a'))).toBe(11);
        expect(text(fs.readFile(at('a')))).toBe('hello world');
        await w.sync();
        await w.close();
      });

      it('create truncates an existing file', async () => {
        const w = fs.create(at('a'));
        w.append(utf8('old contents'));
        await w.close();
        const w2 = fs.create(at('a'));
        expect(w2.size).toBe(0);
        expect(fs.size(at('a'))).toBe(0);
        w2.append(utf8('new'));
        await w2.close();
        expect(text(fs.readFile(at('a')))).toBe('new');
      });

      it('openAppend keeps the content and counts it in size', async () => {
        const w = fs.create(at('a'));
        w.append(utf8('abc'));
        await w.close();
        const w2 = fs.openAppend(at('a'));
        expect(w2.size).toBe(3);
        w2.append(utf8('def'));
        expect(w2.size).toBe(6);
        await w2.close();
        expect(text(fs.readFile(at('a')))).toBe('abcdef');
      });

      it('openAppend creates a missing file', async () => {
        const w = fs.openAppend(at('new'));
        expect(w.size).toBe(0);
        await w.close();
        expect(fs.exists(at('new'))).toBe(true);
      });

      it('append copies: the caller may reuse its buffer; a view writes only its bytes', async () => {
        const w = fs.create(at('a'));
        const buf = utf8('xxabcxx');
        w.append(buf.subarray(2, 5));
        buf.fill(0);
        await w.close();
        expect(text(fs.readFile(at('a')))).toBe('abc');
      });

      it('round-trips a large file', async () => {
        const big = new Uint8Array(3 * 1024 * 1024 + 7);
        for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
        const w = fs.create(at('big'));
        w.append(big.subarray(0, 1000));
        w.append(big.subarray(1000));
        await w.sync();
        await w.close();
        expect(fs.size(at('big'))).toBe(big.length);
        expect(Buffer.compare(fs.readFile(at('big')), big)).toBe(0);
      });

      it('a closed file throws IO_ERROR; close is idempotent', async () => {
        const w = fs.create(at('a'));
        await w.close();
        await w.close();
        expect(thrown(() => w.append(utf8('x')), 'IO_ERROR').details.errno).toBe('EBADF');
        await expect(w.sync()).rejects.toMatchObject({ code: 'IO_ERROR' });
      });

      it('create in a missing directory throws IO_ERROR ENOENT', () => {
        expect(thrown(() => fs.create(at('nodir/a')), 'IO_ERROR').details.errno).toBe('ENOENT');
        expect(thrown(() => fs.openAppend(at('nodir/a')), 'IO_ERROR').details.errno).toBe('ENOENT');
      });
    });

    describe('openRead / readFile / size', () => {
      const write = async (rel: string, content: string): Promise<void> => {
        const w = fs.create(at(rel));
        w.append(utf8(content));
        await w.close();
      };

      it('reads at positions, short at end of file, empty past it', async () => {
        await write('r', '0123456789');
        const r = fs.openRead(at('r'));
        expect(r.path).toBe(at('r'));
        expect(r.size).toBe(10);
        expect(text(r.read(0, 4))).toBe('0123');
        expect(text(r.read(3, 2))).toBe('34');
        expect(text(r.read(7, 10))).toBe('789');
        expect(r.read(10, 5).length).toBe(0);
        expect(r.read(50, 5).length).toBe(0);
        expect(r.read(2, 0).length).toBe(0);
        r.close();
      });

      it('read returns a buffer the caller owns', async () => {
        await write('r', 'abcdef');
        const r = fs.openRead(at('r'));
        const got = r.read(0, 3);
        got.fill(0x7a);
        expect(text(r.read(0, 6))).toBe('abcdef');
        r.close();
        fs.readFile(at('r')).fill(0);
        expect(text(fs.readFile(at('r')))).toBe('abcdef');
      });

      it('read rejects bad arguments and a closed file', async () => {
        await write('r', 'abc');
        const r = fs.openRead(at('r'));
        thrown(() => r.read(-1, 2), 'INVALID_ARGUMENT');
        thrown(() => r.read(0, -2), 'INVALID_ARGUMENT');
        thrown(() => r.read(0.5, 2), 'INVALID_ARGUMENT');
        r.close();
        r.close();
        expect(thrown(() => r.read(0, 1), 'IO_ERROR').details.errno).toBe('EBADF');
      });

      it('readInto fills the target at an offset and returns the bytes read', async () => {
        await write('r', '0123456789');
        const r = fs.openRead(at('r'));
        const target = new Uint8Array(8).fill(0x2e);
        expect(r.readInto(2, 4, target, 1)).toBe(4);
        expect(text(target)).toBe('.2345...');
        expect(r.readInto(8, 5, target, 0)).toBe(2);
        expect(text(target.subarray(0, 2))).toBe('89');
        expect(r.readInto(10, 3, target, 0)).toBe(0);
        thrown(() => r.readInto(0, 4, target, 6), 'INVALID_ARGUMENT');
        thrown(() => r.readInto(-1, 2, target, 0), 'INVALID_ARGUMENT');
        r.close();
        expect(thrown(() => r.readInto(0, 1, target, 0), 'IO_ERROR').details.errno).toBe('EBADF');
      });

      it('an empty file reads as empty', async () => {
        await write('e', '');
        expect(fs.readFile(at('e')).length).toBe(0);
        const r = fs.openRead(at('e'));
        expect(r.size).toBe(0);
        expect(r.read(0, 10).length).toBe(0);
        r.close();
      });

      it('a missing file is IO_ERROR with errno ENOENT', () => {
        const e = thrown(() => fs.readFile(at('missing')), 'IO_ERROR');
        expect(e.details.errno).toBe('ENOENT');
        expect(e.details.path).toBe(at('missing'));
        expect(thrown(() => fs.openRead(at('missing')), 'IO_ERROR').details.errno).toBe('ENOENT');
        expect(thrown(() => fs.size(at('missing')), 'IO_ERROR').details.errno).toBe('ENOENT');
      });
    });

    describe('directories', () => {
      it('exists is true for files and directories, false for missing', async () => {
        await fs.create(at('f')).close();
        fs.mkdirp(at('d'));
        expect(fs.exists(at('f'))).toBe(true);
        expect(fs.exists(at('d'))).toBe(true);
        expect(fs.exists(at('nope'))).toBe(false);
        expect(fs.exists(at('nope/deeper'))).toBe(false);
      });

      it('list returns sorted names of files and directories; [] for a missing dir', async () => {
        for (const n of ['b', 'a', 'C', '000010.log', '000002.log']) await fs.create(at(n)).close();
        fs.mkdirp(at('sub'));
        await fs.create(at('sub/inner')).close();
        expect(fs.list(root)).toEqual(['000002.log', '000010.log', 'C', 'a', 'b', 'sub']);
        expect(fs.list(at('sub'))).toEqual(['inner']);
        expect(fs.list(at('missing'))).toEqual([]);
      });

      it('mkdirp makes nested directories and is idempotent', async () => {
        fs.mkdirp(at('x/y/z'));
        fs.mkdirp(at('x/y/z'));
        fs.mkdirp(at('x'));
        expect(fs.list(at('x'))).toEqual(['y']);
        await fs.create(at('x/y/z/f')).close();
        expect(fs.list(at('x/y/z'))).toEqual(['f']);
      });

      it('syncDir resolves for an existing directory, and sync for a file', async () => {
        const w = fs.create(at('a'));
        w.append(utf8('x'));
        await w.sync();
        await w.close();
        await fs.syncDir(root);
      });
    });

    describe('rename / remove / removeTree', () => {
      const write = async (rel: string, content: string): Promise<void> => {
        const w = fs.create(at(rel));
        w.append(utf8(content));
        await w.close();
      };

      it('rename moves a file', async () => {
        await write('from', 'data');
        fs.rename(at('from'), at('to'));
        expect(fs.exists(at('from'))).toBe(false);
        expect(text(fs.readFile(at('to')))).toBe('data');
      });

      it('rename replaces an existing target', async () => {
        await write('CURRENT.tmp', 'MANIFEST-2');
        await write('CURRENT', 'MANIFEST-1');
        fs.rename(at('CURRENT.tmp'), at('CURRENT'));
        expect(text(fs.readFile(at('CURRENT')))).toBe('MANIFEST-2');
        expect(fs.list(root)).toEqual(['CURRENT']);
      });

      it('rename of a missing file is IO_ERROR ENOENT', () => {
        expect(thrown(() => fs.rename(at('missing'), at('x')), 'IO_ERROR').details.errno).toBe('ENOENT');
      });

      it('remove deletes a file and is idempotent', async () => {
        await write('a', 'x');
        fs.remove(at('a'));
        expect(fs.exists(at('a'))).toBe(false);
        fs.remove(at('a'));
        fs.remove(at('never/was'));
      });

      it('removeTree deletes a tree and is idempotent', async () => {
        fs.mkdirp(at('t/u'));
        await write('t/u/f', 'x');
        await write('t/g', 'y');
        await write('keep', 'z');
        fs.removeTree(at('t'));
        expect(fs.exists(at('t'))).toBe(false);
        expect(fs.list(root)).toEqual(['keep']);
        fs.removeTree(at('t'));
      });
    });

    describe('lock', () => {
      it('is exclusive until released, then can be taken again', () => {
        const l = fs.lock(at('LOCK'));
        expect(fs.exists(at('LOCK'))).toBe(true);
        const e = thrown(() => fs.lock(at('LOCK')), 'UNAVAILABLE');
        expect(e.details.path).toBe(at('LOCK'));
        l.release();
        l.release();
        const l2 = fs.lock(at('LOCK'));
        l2.release();
      });

      it('locks on different paths are independent', () => {
        const a = fs.lock(at('LOCK-a'));
        const b = fs.lock(at('LOCK-b'));
        a.release();
        b.release();
      });
    });
  });
}
