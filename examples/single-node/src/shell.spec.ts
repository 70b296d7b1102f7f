import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamisNode } from '@dynamis/core';
import { runCommand, SCAN_LIMIT } from './shell';
import { formatText } from './shellSyntax';
import { startSingleNode } from './singleNode';

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString());

describe('the single-node shell', () => {
  let node: DynamisNode;
  beforeAll(async () => {
    node = await startSingleNode({ log: { level: 'silent' }, limits: { maxKeyBytes: 16, maxValueBytes: 64, maxBatchOps: 4 } });
  });
  afterAll(() => node.stop());

  it('takes a trailing number as part of the value; a TTL only from --ttl', async () => {
    expect(await runCommand(node, 'put version release 2')).toBe('ok');
    const plain = await node.store.get('version');
    expect(text(plain.siblings[0]?.value)).toBe('release 2');
    expect(plain.siblings[0]?.expiresAt).toBeUndefined();
    expect(await runCommand(node, 'put --ttl 2000 session abc')).toBe('ok');
    const s = (await node.store.get('session')).siblings[0]!;
    expect(text(s.value)).toBe('abc');
    expect(s.expiresAt! - s.writtenAt).toBe(2000);
    expect(await runCommand(node, 'putnx --ttl 5000 lease me')).toBe('ok');
    const l = (await node.store.get('lease')).siblings[0]!;
    expect(l.expiresAt! - l.writtenAt).toBe(5000);
    for (const bad of ['put --ttl 0 k v', 'put --ttl -5 k v', 'put --ttl soon k v', 'put --ttl', 'put --tll 5 k v']) {
      expect(await runCommand(node, bad)).toMatch(/^usage: put \[--ttl <ms>\] <key> <value>/);
    }
  });

  it('keeps whitespace inside and after a value, and reads quoted values, empty ones included', async () => {
    expect(await runCommand(node, 'put w   two  spaces  ')).toBe('ok');
    expect(text((await node.store.get('w')).siblings[0]?.value)).toBe('two  spaces  ');
    expect(await runCommand(node, 'get w')).toBe('"two  spaces  "');
    expect(await runCommand(node, 'put q "  lead\\tand\\nlines"')).toBe('ok');
    expect(text((await node.store.get('q')).siblings[0]?.value)).toBe('  lead\tand\nlines');
    expect(await runCommand(node, 'get q')).toBe('"  lead\\tand\\nlines"');
    expect(await runCommand(node, 'put e ""')).toBe('ok');
    expect((await node.store.get('e')).siblings[0]?.value).toHaveLength(0);
    expect(await runCommand(node, 'get e')).toBe('""');
    expect(await runCommand(node, 'put "a key" v')).toBe('ok');
    expect(await runCommand(node, 'get "a key"')).toBe('v');
  });

  it('answers a missing argument with a usage line, not INVALID_KEY, and stores nothing', async () => {
    expect(await runCommand(node, 'put k')).toBe('usage: put [--ttl <ms>] <key> <value>');
    expect(await runCommand(node, 'put')).toBe('usage: put [--ttl <ms>] <key> <value>');
    expect(await runCommand(node, 'putnx k  ')).toBe('usage: putnx [--ttl <ms>] <key> <value>');
    expect((await node.store.get('k')).found).toBe(false);
    expect(await runCommand(node, 'get')).toBe('usage: get <key>');
    expect(await runCommand(node, 'get a b')).toBe('usage: get <key>');
    expect(await runCommand(node, 'del')).toBe('usage: del <key>');
    expect(await runCommand(node, 'stats now')).toBe('usage: stats');
    expect(await runCommand(node, 'put "open v')).toMatch(/^usage: put .*\n\(unterminated quoted string\)$/);
    expect(await runCommand(node, 'put k "quoted" then more')).toMatch(/whole rest of the line/);
    expect(await runCommand(node, 'get ""')).toMatch(/^error INVALID_KEY/);
  });

  it('prints what reads back as itself: plain when safe, JSON-quoted otherwise', () => {
    for (const [raw, shown] of [
      ['abc def', 'abc def'],
      ['', '""'],
      [' x', '" x"'],
      ['x ', '"x "'],
      ['"x', '"\\"x"'],
      ['a\nb', '"a\\nb"'],
    ]) {
      expect(formatText(raw!)).toBe(shown);
    }
    expect(formatText('a b', true)).toBe('"a b"');
  });

  it('scans live keys in key order, by prefix, bounded by --limit, hiding deleted ones', async () => {
    for (const k of ['s/b', 's/a', 's/c', 't/a']) await node.store.put(k, Buffer.from(`v ${k}`));
    await node.store.put('s/gone', Buffer.from('x'));
    await node.store.delete('s/gone');
    expect(await runCommand(node, 'scan s/')).toBe('s/a v s/a\ns/b v s/b\ns/c v s/c');
    expect(await runCommand(node, 'scan --limit 2 s/')).toBe('s/a v s/a\ns/b v s/b\n(more keys: raise --limit, or scan a longer prefix)');
    expect(await runCommand(node, 'scan nothing/')).toBe('(no keys)');
    const all = (await runCommand(node, 'scan')) as string;
    expect(all.split('\n')).toContain('"a key" v');
    const keys = all.split('\n').map((l) => l.split(' ')[0]!.replace(/^"/, ''));
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain('t/a');
    expect(keys).not.toContain('s/gone');
    expect(keys.length).toBeLessThanOrEqual(SCAN_LIMIT + 1);
    expect(await runCommand(node, 'scan --limit x')).toBe('usage: scan [--limit <n>] [prefix]');
  });

  it('prints engine statistics', async () => {
    const out = (await runCommand(node, 'stats')) as string;
    expect(out).toMatch(/^engine memory\napproximateBytes \d+\n/);
    expect(out).toMatch(/\nkeys \d+/);
  });
});
