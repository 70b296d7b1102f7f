import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { DynamisError } from '../errors/DynamisError';
import { NodeFileSystem } from './NodeFileSystem';

function tempRoot(): string {
  return nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'dynamis-fs-'));
}

// The FileSystem contract suite runs against NodeFileSystem in
// packages/testkit/src/fs/NodeFileSystem.contract.spec.ts (core cannot depend on testkit).

function caught(fn: () => unknown): DynamisError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DynamisError) return err;
    throw err;
  }
  throw new Error('expected a DynamisError');
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (pid === undefined) throw new Error('spawn failed');
  return pid;
}

describe('NodeFileSystem', () => {
  let root: string;
  const fs = new NodeFileSystem();
  const at = (rel: string): string => nodePath.join(root, rel);

  beforeEach(() => {
    root = tempRoot();
  });
  afterEach(() => {
    nodeFs.rmSync(root, { recursive: true, force: true });
  });

  it('wraps OS errors with the cause, path and errno', () => {
    const e = caught(() => fs.readFile(at('missing')));
    expect(e.code).toBe('IO_ERROR');
    expect(e.details).toEqual({ path: at('missing'), errno: 'ENOENT' });
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(e.message).toContain(at('missing'));
  });

  it('syncDir of a missing directory rejects IO_ERROR ENOENT', async () => {
    await expect(fs.syncDir(at('missing'))).rejects.toMatchObject({
      code: 'IO_ERROR',
      details: { errno: 'ENOENT' },
    });
  });

  it('close waits for a pending sync', async () => {
    const w = fs.create(at('a'));
    w.append(new Uint8Array(4096));
    const synced = w.sync();
    await w.close();
    await synced;
    expect(fs.size(at('a'))).toBe(4096);
  });

  describe('lock', () => {
    it('writes our pid into the lock file and removes it on release', () => {
      const l = fs.lock(at('LOCK'));
      expect(nodeFs.readFileSync(at('LOCK'), 'utf8')).toBe(String(process.pid));
      l.release();
      expect(nodeFs.existsSync(at('LOCK'))).toBe(false);
    });

    it('is UNAVAILABLE, naming the pid, while a live process holds it', () => {
      nodeFs.writeFileSync(at('LOCK'), String(process.ppid));
      const e = caught(() => fs.lock(at('LOCK')));
      expect(e.code).toBe('UNAVAILABLE');
      expect(e.details).toEqual({ path: at('LOCK'), pid: process.ppid });
      expect(e.message).toContain(String(process.ppid));
      expect(nodeFs.readFileSync(at('LOCK'), 'utf8')).toBe(String(process.ppid));
    });

    /** Checks that `l` holds `LOCK` for this process: the file names our pid, a second lock is refused, release removes it. */
    function expectOurs(l: { release(): void }): void {
      expect(nodeFs.readFileSync(at('LOCK'), 'utf8')).toBe(String(process.pid));
      expect(caught(() => fs.lock(at('LOCK'))).code).toBe('UNAVAILABLE');
      l.release();
      expect(nodeFs.existsSync(at('LOCK'))).toBe(false);
    }

    it('takes over a lock whose process is gone, writing our pid', () => {
      nodeFs.writeFileSync(at('LOCK'), String(deadPid()));
      expectOurs(fs.lock(at('LOCK')));
    });

    it('takes over a lock holding our own pid that we do not hold (pid reused after a restart)', () => {
      nodeFs.writeFileSync(at('LOCK'), `${process.pid}\n`);
      expectOurs(fs.lock(at('LOCK')));
    });

    it('takes over a lock file holding no pid, or garbage, writing our pid', () => {
      for (const content of ['', 'not a pid', '-5', '1.5']) {
        nodeFs.writeFileSync(at('LOCK'), content);
        expectOurs(fs.lock(at('LOCK')));
      }
    });

    it('is shared by every instance in the process', () => {
      const l = new NodeFileSystem().lock(at('LOCK'));
      expect(caught(() => new NodeFileSystem().lock(at('LOCK'))).code).toBe('UNAVAILABLE');
      l.release();
    });

    it('an old release does not free a lock taken after it', () => {
      const l = fs.lock(at('LOCK'));
      l.release();
      const l2 = fs.lock(at('LOCK'));
      l.release();
      expect(caught(() => fs.lock(at('LOCK'))).code).toBe('UNAVAILABLE');
      l2.release();
    });
  });
});
