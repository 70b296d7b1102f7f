import { describe, expect, it } from '@jest/globals';
import { fromUtf8, utf8 } from '@dynamis/core';
import { fileSystemContract } from '../contracts/fileSystem';
import { MemoryFileSystem } from './MemoryFileSystem';

fileSystemContract('MemoryFileSystem', () => {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/db');
  return { fs, root: '/db' };
});

describe('MemoryFileSystem', () => {
  it('normalizes paths: relative, doubled and trailing slashes, . and ..', async () => {
    const fs = new MemoryFileSystem();
    fs.mkdirp('a/b/');
    const w = fs.create('/a//b/./x');
    w.append(utf8('hi'));
    await w.close();
    expect(fromUtf8(fs.readFile('a/b/x'))).toBe('hi');
    expect(fs.exists('/a/b/../b/x')).toBe(true);
    expect(fs.list('/')).toEqual(['a']);
  });

  it('keeps a handle working on its file after a rename and after a remove', async () => {
    const fs = new MemoryFileSystem();
    const w = fs.create('f');
    w.append(utf8('a'));
    fs.rename('f', 'g');
    w.append(utf8('b'));
    expect(fromUtf8(fs.readFile('g'))).toBe('ab');
    const r = fs.openRead('g');
    fs.remove('g');
    expect(fromUtf8(r.read(0, 10))).toBe('ab');
    await w.close();
  });

  it('instances share nothing, locks included', () => {
    const a = new MemoryFileSystem();
    const b = new MemoryFileSystem();
    a.lock('LOCK');
    b.lock('LOCK');
    expect(b.exists('x')).toBe(false);
    a.create('x');
    expect(b.exists('x')).toBe(false);
  });

  it('distinguishes files from directories', () => {
    const fs = new MemoryFileSystem();
    fs.mkdirp('d');
    fs.create('f');
    expect(() => fs.create('d')).toThrow(expect.objectContaining({ code: 'IO_ERROR', details: { path: 'd', errno: 'EISDIR' } }));
    expect(() => fs.readFile('d')).toThrow(expect.objectContaining({ details: { path: 'd', errno: 'EISDIR' } }));
    expect(() => fs.list('f')).toThrow(expect.objectContaining({ details: { path: 'f', errno: 'ENOTDIR' } }));
    expect(() => fs.mkdirp('f/x')).toThrow(expect.objectContaining({ details: { path: 'f/x', errno: 'ENOTDIR' } }));
    expect(() => fs.create('f/x')).toThrow(expect.objectContaining({ details: { path: 'f/x', errno: 'ENOTDIR' } }));
    expect(() => fs.remove('d')).toThrow(expect.objectContaining({ details: { path: 'd', errno: 'EISDIR' } }));
  });
});
