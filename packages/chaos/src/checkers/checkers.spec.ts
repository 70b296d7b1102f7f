import { HistoryBuilder } from '../HistoryBuilder';
import { checkConvergence, checkDurability, checkLww, checkPhantoms, checkSetUnion, type ReplicaRecord } from '.';

const reads = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

describe('checkDurability', () => {
  it('passes when the final read holds the last acknowledged write, or any unknown write after it', () => {
    const h = new HistoryBuilder()
      .put(1, 'a', 'a1')
      .put(1, 'a', 'a2')
      .put(2, 'b', 'b1')
      .put(2, 'b', 'b2', 'info')
      .del(3, 'c')
      .put(3, 'd', 'd1', 'fail');
    const r = checkDurability(h.ops, reads({ a: ['a2'], b: ['b1'], c: [], d: [] }));
    expect(r).toMatchObject({ valid: true, counts: { keys: 4, 'writes-ok': 4, 'writes-info': 1, 'writes-fail': 1, anomalies: 0 } });
    expect(checkDurability(h.ops, reads({ a: ['a2'], b: ['b2'], c: [], d: [] })).valid).toBe(true);
  });

  it('flags an acknowledged write the final read lost (older value, or nothing)', () => {
    const h = new HistoryBuilder().put(1, 'a', 'a1').put(1, 'a', 'a2').put(1, 'a', 'a3', 'fail');
    const stale = checkDurability(h.ops, reads({ a: ['a1'] }));
    expect(stale).toMatchObject({ valid: false, anomalies: [{ kind: 'lost-write', key: 'a' }] });
    expect(stale.anomalies[0]!.ops).toHaveLength(6);
    expect(checkDurability(h.ops, reads({ a: [] })).anomalies[0]!.kind).toBe('lost-write');
  });

  it('flags a lost delete and a value written by a failed write', () => {
    const h = new HistoryBuilder().put(1, 'a', 'a1').del(1, 'a').put(2, 'b', 'b1').put(2, 'b', 'b2', 'fail', undefined);
    expect(checkDurability(h.ops, reads({ a: ['a1'], b: ['b1'] })).anomalies.map((a) => a.kind)).toEqual(['lost-write']);
    const h2 = new HistoryBuilder().put(2, 'b', 'b1').put(2, 'b', 'b2', 'info').put(2, 'b', 'b3', 'fail');
    expect(checkDurability(h2.ops, reads({ b: ['b3'] })).anomalies.map((a) => a.kind)).toEqual(['foreign-value']);
  });

  it('accepts an acknowledged write lost to an unknown write invoked before it (it may take effect later), and counts it', () => {
    const h = new HistoryBuilder().put(1, 'a', 'a1').put(1, 'a', 'a2', 'info').get(1, 'a', ['a1']).del(1, 'a');
    expect(checkDurability(h.ops, reads({ a: ['a2'] }))).toMatchObject({ valid: true, counts: { 'overwritten-by-unknown': 1 } });
    expect(checkDurability(h.ops, reads({ a: ['a1'] })).anomalies.map((a) => a.kind)).toEqual(['lost-write']);
    expect(checkDurability(h.ops, reads({ a: ['a2', 'a1'] })).anomalies.map((a) => a.kind)).toEqual(['lost-write']);
  });

  it('flags a key with writes but no final read', () => {
    const h = new HistoryBuilder().put(1, 'a', 'a1');
    expect(checkDurability(h.ops, reads({})).anomalies.map((a) => a.kind)).toEqual(['unread']);
  });
});

describe('checkPhantoms', () => {
  it('passes when every value read was written and no acknowledged delete comes back', () => {
    const h = new HistoryBuilder()
      .put(1, 'a', 'x')
      .get(2, 'a', ['x'])
      .del(1, 'a')
      .get(2, 'a', [])
      .put(1, 'a', 'y')
      .get(2, 'a', ['y'])
      .add(3, 's', 'e1')
      .readSet(3, 's', ['e1']);
    expect(checkPhantoms(h.ops, reads({ a: ['y'], s: ['e1'] }))).toMatchObject({ valid: true, counts: { 'deletes-ok': 1 } });
  });

  it('flags a value nobody wrote, in a read, a set read or the final read', () => {
    const h = new HistoryBuilder().put(1, 'a', 'x').get(2, 'a', ['z']);
    expect(checkPhantoms(h.ops, reads({})).anomalies.map((a) => a.kind)).toEqual(['phantom']);
    const h2 = new HistoryBuilder().add(1, 's', 'e1').readSet(2, 's', ['e1', 'e9']);
    expect(checkPhantoms(h2.ops, reads({})).valid).toBe(false);
    expect(checkPhantoms(new HistoryBuilder().put(1, 'a', 'x').ops, reads({ a: ['x', 'w'] })).valid).toBe(false);
    expect(checkPhantoms(new HistoryBuilder().put(1, 'a', 'x').ops, reads({ b: ['x'] })).valid).toBe(false);
  });

  it('flags a resurrection: a read after an acknowledged delete, or the final read, returns a value', () => {
    const h = new HistoryBuilder().put(1, 'a', 'x').del(1, 'a').get(2, 'a', ['x']);
    expect(checkPhantoms(h.ops, reads({})).anomalies.map((a) => a.kind)).toEqual(['resurrection']);
    const h2 = new HistoryBuilder().put(1, 'a', 'x').del(1, 'a');
    expect(checkPhantoms(h2.ops, reads({ a: ['x'] })).anomalies.map((a) => a.kind)).toEqual(['resurrection']);
    expect(checkPhantoms(h2.ops, reads({ a: [] })).valid).toBe(true);
  });

  it('does not count the value of a put with an unknown outcome, invoked before the delete, as a resurrection (it may take effect later)', () => {
    const h = new HistoryBuilder().put(1, 'a', 'x').put(1, 'a', 'maybe', 'info').get(1, 'a', ['x']).del(1, 'a').get(2, 'a', ['maybe']);
    expect(checkPhantoms(h.ops, reads({ a: ['maybe'] }))).toMatchObject({ valid: true, counts: { 'unknown-after-delete': 2 } });
    expect(checkPhantoms(h.ops, reads({ a: ['x'] })).anomalies.map((a) => a.kind)).toEqual(['resurrection']);
    expect(checkPhantoms(h.ops, reads({ a: ['maybe', 'x'] })).anomalies.map((a) => a.kind)).toEqual(['resurrection']);
  });

  it('does not count a read concurrent with the next put as a resurrection', () => {
    const h = new HistoryBuilder().put(1, 'a', 'x').del(1, 'a');
    const ops = [...h.ops];
    const at = (i: number, o: Partial<(typeof ops)[number]>) => ({ ...ops[0]!, index: i, time: i, ...o });
    const concurrent = [
      ...ops,
      at(4, { process: 2, type: 'invoke', f: 'get', key: 'a', value: null }),
      at(5, { process: 1, type: 'invoke', f: 'put', key: 'a', value: 'y' }),
      at(6, { process: 1, type: 'ok', f: 'put', key: 'a', value: 'y' }),
      at(7, { process: 2, type: 'ok', f: 'get', key: 'a', value: ['y'] }),
    ];
    expect(checkPhantoms(concurrent, reads({ a: ['y'] })).valid).toBe(true);
    const before = [...concurrent.slice(0, 5), at(5, { process: 2, type: 'ok', f: 'get', key: 'a', value: ['x'] })];
    expect(checkPhantoms(before, reads({})).anomalies.map((a) => a.kind)).toEqual(['resurrection']);
  });
});

describe('checkSetUnion', () => {
  it('passes when the final read holds every acknowledged add (unknown ones may be missing)', () => {
    const h = new HistoryBuilder().add(1, 's', 'a').add(2, 's', 'b').add(3, 's', 'c', 'info').add(1, 's', 'd', 'fail');
    expect(checkSetUnion(h.ops, reads({ s: ['b', 'a'] }))).toMatchObject({
      valid: true,
      counts: { 'adds-ok': 2, 'adds-info': 1, 'adds-fail': 1 },
    });
  });

  it('flags a lost acknowledged add and an unread set', () => {
    const h = new HistoryBuilder().add(1, 's', 'a').add(2, 's', 'b');
    expect(checkSetUnion(h.ops, reads({ s: ['a'] })).anomalies).toMatchObject([{ kind: 'lost-add', key: 's' }]);
    expect(checkSetUnion(h.ops, reads({})).anomalies).toMatchObject([{ kind: 'unread', key: 's' }]);
  });
});

const rec = (...siblings: [string, string | null, number?][]): ReplicaRecord => ({
  siblings: siblings.map(([version, value, writtenAt]) => ({ version, value, writtenAt: writtenAt ?? 1 })),
});
const replicas = (entries: Record<string, Record<string, ReplicaRecord>>) =>
  new Map(Object.entries(entries).map(([k, v]) => [k, new Map(Object.entries(v))]));

describe('checkConvergence', () => {
  it('passes when every replica holds the same record (sibling order aside)', () => {
    const r = replicas({
      a: { n1: rec(['01', 'x'], ['02', 'y']), n2: rec(['02', 'y'], ['01', 'x']), n3: rec(['01', 'x'], ['02', 'y']) },
      b: { n1: rec(['03', null]), n2: rec(['03', null]) },
    });
    expect(checkConvergence(r)).toMatchObject({ valid: true, counts: { keys: 2, replicas: 5 } });
  });

  it('flags replicas that differ in a version, a value, a timestamp or a missing copy', () => {
    for (const other of [rec(['02', 'x']), rec(['01', 'z']), rec(['01', 'x', 2]), rec(), rec(['01', null])]) {
      expect(checkConvergence(replicas({ a: { n1: rec(['01', 'x']), n2: other } })).anomalies).toMatchObject([
        { kind: 'diverged', key: 'a' },
      ]);
    }
  });
});

describe('checkLww', () => {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  it('passes when every replica holds the highest version, with the value its write wrote', () => {
    const h = new HistoryBuilder().put(1, 'a', 'x', 'ok', '01').put(2, 'a', 'y', 'ok', '03').put(3, 'a', 'z', 'info');
    expect(checkLww(h.ops, replicas({ a: { n1: rec(['04', 'z']), n2: rec(['04', 'z']) } }), cmp).valid).toBe(true);
    expect(checkLww(h.ops, replicas({ a: { n1: rec(['03', 'y']), n2: rec(['03', 'y']) } }), cmp).valid).toBe(true);
  });

  it('flags a replica behind, a record below an acknowledged version, two siblings, or the wrong value', () => {
    const h = new HistoryBuilder().put(1, 'a', 'x', 'ok', '01').put(2, 'a', 'y', 'ok', '03');
    const kinds = (r: Record<string, ReplicaRecord>) => checkLww(h.ops, replicas({ a: r }), cmp).anomalies.map((x) => x.kind);
    expect(kinds({ n1: rec(['03', 'y']), n2: rec(['01', 'x']) })).toEqual(['not-highest']);
    expect(kinds({ n1: rec(['01', 'x']), n2: rec(['01', 'x']) })).toEqual(['not-highest']);
    expect(kinds({ n1: rec(['03', 'y'], ['01', 'x']), n2: rec(['03', 'y']) })).toEqual(['siblings']);
    expect(kinds({ n1: rec(['03', 'q']), n2: rec(['03', 'q']) })).toEqual(['wrong-value']);
  });
});
