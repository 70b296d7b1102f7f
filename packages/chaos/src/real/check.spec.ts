import { describe, expect, it } from '@jest/globals';
import { allowedValues, check, countOps, judge, type FinalState, type ReadValue, type ReplicaCopy } from './check';
import type { HistoryEntry, OpFunction } from './history';

/** A history builder: each op is an invoke and its completion, one process per key, sequential. */
function history(ops: Array<[OpFunction, string, string | null | string[], 'ok' | 'fail' | 'info']>): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  let time = 0;
  for (const [f, key, value, type] of ops) {
    out.push({ process: 0, type: 'invoke', f, key, value: f === 'get' ? null : value, time: time++, node: 'n1' });
    out.push({ process: 0, type, f, key, value, time: time++, node: 'n1' });
  }
  return out;
}

const copies = (record: string, live: ReadValue, nodes = ['n1', 'n2', 'n3']): ReplicaCopy[] =>
  nodes.map((node) => ({ node, record, live }));

function final(reads: Record<string, ReadValue | Error>, replicas?: Record<string, ReplicaCopy[]>): FinalState {
  const r = new Map(Object.entries(reads));
  const defaults = Object.fromEntries(
    Object.entries(reads).map(([k, v]) => [k, copies(JSON.stringify(v), v instanceof Error ? null : v)] as const),
  );
  return { reads: r, replicas: new Map(Object.entries(replicas ?? defaults)) };
}

const verdict = (verdicts: ReturnType<typeof check>, prefix: string) => verdicts.find((v) => v.name.startsWith(prefix))!;

describe('real-process checkers', () => {
  it('allows the last acknowledged write, or a maybe-applied one after it, never an earlier or failed one', () => {
    const h = history([
      ['put', 'k', 'a', 'ok'],
      ['put', 'k', 'b', 'info'],
      ['put', 'k', 'c', 'ok'],
      ['put', 'k', 'd', 'fail'],
      ['del', 'k', null, 'info'],
    ]).filter((e) => e.type !== 'invoke');
    expect(allowedValues(h)).toEqual(['c', null]);
    expect(allowedValues([])).toEqual([null]);
  });

  it('passes a history whose final state is the last acknowledged write everywhere', () => {
    const h = history([
      ['put', 'k', 'a', 'ok'],
      ['get', 'k', 'a', 'ok'],
      ['put', 'k', 'b', 'ok'],
      ['del', 'j', null, 'ok'],
    ]);
    const v = check(h, final({ k: 'b', j: null }));
    expect(v.map((x) => x.ok)).toEqual([true, true, true, true]);
    expect(countOps(h)).toMatchObject({ invoked: 4, ok: 4, fail: 0, info: 0 });
  });

  it('durability: fails when the final read lost the last acknowledged write (older value, or gone)', () => {
    const h = history([
      ['put', 'k', 'a', 'ok'],
      ['put', 'k', 'b', 'ok'],
      ['put', 'j', 'x', 'ok'],
    ]);
    const v = verdict(check(h, final({ k: 'a', j: null })), 'durability');
    expect(v.ok).toBe(false);
    expect(v.count).toBe(2);
    expect(v.problems.join('\n')).toContain('k: final read "a", expected "b"');
  });

  it('durability: fails when a key cannot be read back', () => {
    const h = history([['put', 'k', 'a', 'ok']]);
    expect(verdict(check(h, final({ k: new Error('UNAVAILABLE') })), 'durability').ok).toBe(false);
  });

  it('no phantom: fails on a value never written, and on a failed write that shows up', () => {
    const h = history([
      ['put', 'k', 'a', 'ok'],
      ['get', 'k', 'zzz', 'ok'],
      ['put', 'j', 'f', 'fail'],
    ]);
    const v = verdict(check(h, final({ k: 'a', j: 'f' })), 'no phantom');
    expect(v.ok).toBe(false);
    expect(v.problems.join('\n')).toMatch(/read "zzz", never written/);
    expect(v.problems.join('\n')).toMatch(/read "f", a write that failed/);
  });

  it('reads: fails on a read that misses an earlier acknowledged write, passes one that sees a maybe-applied later write', () => {
    const stale = history([
      ['put', 'k', 'a', 'ok'],
      ['put', 'k', 'b', 'ok'],
      ['get', 'k', 'a', 'ok'],
    ]);
    expect(verdict(check(stale, final({ k: 'b' })), 'reads').ok).toBe(false);
    const maybe = history([
      ['put', 'k', 'a', 'ok'],
      ['put', 'k', 'b', 'info'],
      ['get', 'k', 'b', 'ok'],
    ]);
    expect(verdict(check(maybe, final({ k: 'b' })), 'reads').ok).toBe(true);
  });

  it('convergence: fails when replicas differ, or agree on something other than the final read', () => {
    const h = history([['put', 'k', 'a', 'ok']]);
    const differ = [
      { node: 'n1', record: '"a"@01', live: 'a' },
      { node: 'n2', record: '"a"@01', live: 'a' },
      { node: 'n3', record: '', live: null },
    ];
    expect(verdict(check(h, final({ k: 'a' }, { k: differ })), 'convergence').ok).toBe(false);
    expect(verdict(check(h, final({ k: 'a' }, { k: copies('"b"@02', 'b') })), 'convergence').ok).toBe(false);
    expect(verdict(check(h, final({ k: 'a' }, { k: copies('"a"@01', 'a') })), 'convergence').ok).toBe(true);
  });

  it('judge: a failed reads checker fails a strict-quorum run, and is only a note under sloppy quorum; others always count', () => {
    const h = history([
      ['put', 'k', 'a', 'ok'],
      ['put', 'k', 'b', 'ok'],
      ['get', 'k', 'a', 'ok'],
    ]);
    const verdicts = check(h, final({ k: 'b' }));
    expect(judge(verdicts, false).ok).toBe(false);
    expect(judge(verdicts, true).ok).toBe(true);
    expect(
      judge(verdicts, true)
        .verdicts.filter((v) => v.informational)
        .map((v) => v.name.split(':')[0]),
    ).toEqual(['reads']);
    expect(judge(check(h, final({ k: 'a' })), true).ok).toBe(false);
  });
});
