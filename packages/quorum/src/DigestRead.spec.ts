import { describe, expect, it } from '@jest/globals';
import { asVersion, DynamisError, readDigest, type NodeId, type Sibling } from '@dynamis/core';
import { DigestRead, type DigestCounts } from './DigestRead';
import type { ReplicaBatcher } from './ReplicaBatcher';

const record = (v: string): Sibling[] => [{ version: asVersion(Buffer.from(`ver-${v}`)), value: Buffer.from(v), writtenAt: 1 }];

/** A batcher whose calls the test settles by hand; `calls` lists them as 'read n2' / 'digest n2'. */
function fakeBatcher() {
  const calls: string[] = [];
  const pending = new Map<string, { ok: (v: unknown) => void; fail: (e: unknown) => void }>();
  const call = (what: string) => {
    calls.push(what);
    return new Promise((ok, fail) => pending.set(what, { ok, fail }));
  };
  const batcher = {
    read: (node: NodeId) => call(`read ${node}`),
    digest: (node: NodeId) => call(`digest ${node}`),
  } as unknown as ReplicaBatcher;
  const settle = (what: string) => pending.get(what)!;
  const flush = () => new Promise((r) => setImmediate(r));
  return { calls, batcher, settle, flush };
}

function setup(firstAsks = 2) {
  const f = fakeBatcher();
  const counts: DigestCounts = { mismatches: 0 };
  const d = new DigestRead(f.batcher, 'k', {}, 0, firstAsks, counts);
  return { ...f, counts, d };
}

describe('DigestRead', () => {
  it('asks the first target for its record and the other first asks for a digest; a matching digest answers with that record', async () => {
    const t = setup(2);
    const full = t.d.read('n1', 0);
    const other = t.d.read('n2', 1);
    expect(t.calls).toEqual(['read n1', 'digest n2']);
    const mine = record('v1');
    t.settle('read n1').ok(mine);
    t.settle('digest n2').ok(readDigest(record('v1')));
    expect(await full).toBe(mine);
    expect(await other).toBe(mine); // no second round, no record from n2
    expect(t.calls).toEqual(['read n1', 'digest n2']);
    expect(t.counts.mismatches).toBe(0);
  });

  it('a different digest fetches that replica record in a second round, counted', async () => {
    const t = setup(2);
    void t.d.read('n1', 0);
    const other = t.d.read('n2', 1);
    t.settle('read n1').ok(record('new'));
    t.settle('digest n2').ok(readDigest(record('old')));
    await t.flush();
    expect(t.calls).toEqual(['read n1', 'digest n2', 'read n2']);
    const theirs = record('old');
    t.settle('read n2').ok(theirs);
    expect(await other).toBe(theirs);
    expect(t.counts.mismatches).toBe(1);
  });

  it('a digest that arrives first waits for the full record', async () => {
    const t = setup(2);
    void t.d.read('n1', 0);
    let answered: Sibling[] | undefined;
    void t.d.read('n2', 1).then((r) => (answered = r));
    t.settle('digest n2').ok(readDigest(record('v')));
    await t.flush();
    expect(answered).toBeUndefined();
    const mine = record('v');
    t.settle('read n1').ok(mine);
    await t.flush();
    expect(answered).toBe(mine);
  });

  it('later asks (failover, speculation) read the full record; a waiting digest takes the first full record that arrives', async () => {
    const t = setup(2);
    void t.d.read('n1', 0).catch(() => undefined);
    const other = t.d.read('n2', 1);
    const third = t.d.read('n3', 2);
    expect(t.calls).toEqual(['read n1', 'digest n2', 'read n3']);
    t.settle('digest n2').ok(readDigest(record('v')));
    const fromThird = record('v');
    t.settle('read n3').ok(fromThird);
    expect(await third).toBe(fromThird);
    expect(await other).toBe(fromThird);
  });

  it('when every full read failed, a digest replica sends its own record', async () => {
    const t = setup(2);
    const full = t.d.read('n1', 0);
    const other = t.d.read('n2', 1);
    t.settle('digest n2').ok(readDigest(record('v')));
    t.settle('read n1').fail(new DynamisError('UNAVAILABLE', 'damaged'));
    await expect(full).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await t.flush();
    expect(t.calls).toEqual(['read n1', 'digest n2', 'read n2']);
    const theirs = record('v');
    t.settle('read n2').ok(theirs);
    expect(await other).toBe(theirs);
    expect(t.counts.mismatches).toBe(0);
  });
});
