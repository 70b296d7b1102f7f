import { formatOps, History, minimalHistory, pairOps, parseJsonLines, toJsonLines } from './history';
import { HistoryBuilder } from './HistoryBuilder';

describe('History', () => {
  it('records invoke and outcome with the time, the process and the coordinator; the outcome keeps the written value', () => {
    let t = 10;
    const h = new History(() => t);
    h.invoke(1, 'put', 'k', 'a', 'n2');
    t = 15;
    h.complete(1, 'ok', { version: 'ab' });
    expect(h.ops).toEqual([
      { index: 0, time: 10, process: 1, type: 'invoke', f: 'put', key: 'k', value: 'a', node: 'n2' },
      { index: 1, time: 15, process: 1, type: 'ok', f: 'put', key: 'k', value: 'a', node: 'n2', version: 'ab' },
    ]);
  });

  it('refuses a second invoke while one is pending, and an outcome with none pending', () => {
    const h = new History(() => 0);
    h.invoke(1, 'get', 'k', null, 'n1');
    expect(() => h.invoke(1, 'get', 'k', null, 'n1')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    h.complete(1, 'info', { error: 'TIMEOUT' });
    expect(() => h.complete(1, 'ok')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('round-trips through JSON lines, and names the first bad line', () => {
    const b = new HistoryBuilder().put(1, 'k', 'a').get(2, 'k', ['a']).del(1, 'k', 'info').add(3, 's', 'x', 'pending');
    const text = toJsonLines(b.ops);
    expect(text.split('\n')).toHaveLength(b.ops.length + 1);
    expect(parseJsonLines(text)).toEqual(b.ops);
    expect(() => parseJsonLines(text + '{"index":1}\n')).toThrow(/line 8 is not an operation record/);
    expect(() => parseJsonLines('nope')).toThrow(/line 1 is not JSON/);
  });

  it('pairs each invoke with its outcome, leaving pending ones open', () => {
    const b = new HistoryBuilder().put(1, 'k', 'a').add(2, 's', 'x', 'pending').get(1, 'k', 'fail');
    expect(pairOps(b.ops).map((p) => [p.invoke.f, p.completion?.type])).toEqual([
      ['put', 'ok'],
      ['add', undefined],
      ['get', 'fail'],
    ]);
  });

  it('keeps only the records of the flagged keys in the minimal history, and prints one line per record', () => {
    const b = new HistoryBuilder().put(1, 'a', '1').put(1, 'b', '2').get(2, 'a', ['1']);
    const min = minimalHistory(b.ops, ['a']);
    expect(min.map((o) => o.index)).toEqual([0, 1, 4, 5]);
    expect(formatOps(min).split('\n')).toHaveLength(4);
    expect(formatOps(min)).toContain('p2 ok     get      a [1] @n1');
  });
});
