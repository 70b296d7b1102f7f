import { describe, expect, it, afterAll, beforeAll } from '@jest/globals';
import type { CausalContext, DynamisNode } from '@dynamis/core';
import { runCommand } from './shell';
import { startSingleNode } from './singleNode';

const bytes = (s: string): Uint8Array => Buffer.from(s);
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString());

describe('a single node on engine-memory + LWW + the local coordinator', () => {
  let node: DynamisNode;
  beforeAll(async () => {
    node = await startSingleNode({ log: { level: 'silent' }, limits: { maxKeyBytes: 16, maxValueBytes: 64, maxBatchOps: 4 } });
  });
  afterAll(() => node.stop());

  it('puts, gets, overwrites and deletes', async () => {
    expect((await node.store.get('a')).found).toBe(false);
    await node.store.put('a', bytes('1'));
    expect(text((await node.store.get('a')).siblings[0]?.value)).toBe('1');
    await node.store.put('a', bytes('2'));
    const read = await node.store.get('a');
    expect(read.siblings.map((s) => text(s.value))).toEqual(['2']);
    await node.store.delete('a');
    expect(await node.store.get('a')).toMatchObject({ found: false, siblings: [] });
    await expect(node.store.delete('never-written')).resolves.toMatchObject({ acks: 1 });
  });

  it('applies a batch atomically, later ops on the same key winning', async () => {
    await node.store.put('b2', bytes('old'));
    const results = await node.store.batch([
      { type: 'put', key: 'b1', value: bytes('x') },
      { type: 'del', key: 'b2' },
      { type: 'put', key: 'b1', value: bytes('y') },
    ]);
    expect(results).toHaveLength(3);
    expect(text((await node.store.get('b1')).siblings[0]?.value)).toBe('y');
    expect((await node.store.get('b2')).found).toBe(false);
  });

  it('rejects a whole batch with one bad op, writing nothing', async () => {
    await expect(
      node.store.batch([
        { type: 'put', key: 'c1', value: bytes('x') },
        { type: 'put', key: 'c2', value: new Uint8Array(65) },
      ]),
    ).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' });
    expect((await node.store.get('c1')).found).toBe(false);
    const tooMany = Array.from({ length: 5 }, (_, i) => ({ type: 'del' as const, key: `k${i}` }));
    await expect(node.store.batch(tooMany)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('put-if-absent succeeds once, then fails with CONFLICT and writes nothing', async () => {
    await node.store.put('lock', bytes('me'), { ifAbsent: true });
    await expect(node.store.put('lock', bytes('you'), { ifAbsent: true })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { condition: 'ifAbsent' },
    });
    expect(text((await node.store.get('lock')).siblings[0]?.value)).toBe('me');
    await node.store.delete('lock');
    await expect(node.store.put('lock', bytes('again'), { ifAbsent: true })).resolves.toBeDefined();
  });

  it('put-if-version succeeds against the version read and fails once the key changed', async () => {
    await node.store.put('acct', bytes('100'));
    const first = await node.store.get('acct');
    await node.store.put('acct', bytes('90'), { ifVersion: first.context });
    await expect(node.store.put('acct', bytes('80'), { ifVersion: first.context })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(text((await node.store.get('acct')).siblings[0]?.value)).toBe('90');
  });

  it('rejects bad input with typed errors and stays up', async () => {
    await expect(node.store.put('', bytes('x'))).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(node.store.put('x'.repeat(17), bytes('x'))).rejects.toMatchObject({
      code: 'INVALID_KEY',
      details: { bytes: 17, max: 16 },
    });
    await expect(node.store.put('é'.repeat(9), bytes('x'))).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(node.store.put('\ud800', bytes('x'))).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(node.store.put(42 as unknown as string, bytes('x'))).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(node.store.put('v', new Uint8Array(65))).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' });
    await expect(node.store.put('v', 'str' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(node.store.put('v', bytes('x'), { ttlMs: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(node.store.put('v', bytes('x'), { ifAbsent: true, ifVersion: new Uint8Array(0) as CausalContext })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(node.store.get('v', { consistency: 'most' as 'one' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(node.store.put('v', bytes('x'), { context: Uint8Array.of(1, 2) as CausalContext })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await node.store.put('v', bytes('ok'));
    expect(text((await node.store.get('v')).siblings[0]?.value)).toBe('ok');
  });

  it('runs shell commands', async () => {
    expect(await runCommand(node, 'put greeting hello world')).toBe('ok');
    expect(await runCommand(node, 'get greeting')).toBe('hello world');
    expect(await runCommand(node, 'putnx greeting other')).toMatch(/^error CONFLICT/);
    expect(await runCommand(node, 'del greeting')).toBe('ok');
    expect(await runCommand(node, 'get greeting')).toBe('(not found)');
    expect(await runCommand(node, 'get ' + 'k'.repeat(20))).toMatch(/^error INVALID_KEY/);
    expect(await runCommand(node, 'frobnicate')).toMatch(/unknown command/);
    expect(await runCommand(node, 'quit')).toBe('quit');
  });
});
