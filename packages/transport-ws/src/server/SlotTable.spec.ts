import { describe, expect, it } from '@jest/globals';
import { SlotTable, type Slot, type SlotLimits } from './SlotTable';

const limits: SlotLimits = { maxConnections: 6, maxPendingHandshakes: 4, maxPendingHandshakesPerAddress: 2, reservedPeerConnections: 2 };

function table(l: SlotLimits = limits) {
  const evicted: string[] = [];
  const t = new SlotTable<string>(l, (slot: Slot<string>) => evicted.push(slot.socket));
  return { t, evicted };
}

describe('SlotTable', () => {
  it('evicts the oldest pending handshake of an address beyond its per-address limit', () => {
    const { t, evicted } = table();
    t.add('a1', 'A');
    t.add('b1', 'B');
    t.add('a2', 'A');
    t.add('a3', 'A');
    expect(evicted).toEqual(['a1']);
    expect(t.pendingCount).toBe(3);
  });

  it('evicts the oldest pending handshake node-wide beyond maxPendingHandshakes', () => {
    const { t, evicted } = table();
    for (const [s, a] of [
      ['a', 'A'],
      ['b', 'B'],
      ['c', 'C'],
      ['d', 'D'],
      ['e', 'E'],
    ])
      t.add(s!, a!);
    expect(evicted).toEqual(['a']);
    expect(t.pendingCount).toBe(4);
  });

  it('never lets pending handshakes lock out authenticated connections; refuses only when all are authenticated', () => {
    const { t, evicted } = table();
    const peers = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((s) => t.add(s, s)!);
    expect(evicted).toEqual(['p1', 'p2']); // pending capped at 4
    for (const p of peers.slice(2)) expect(t.admit(p, 'node')).toBe(true);
    t.add('x1', 'X');
    t.add('x2', 'Y');
    expect(t.size).toBe(6);
    expect(t.add('x3', 'Z')).toBeDefined(); // full: the oldest pending one makes room
    expect(evicted).toEqual(['p1', 'p2', 'x1']);
    expect([t.size, t.pendingCount]).toEqual([6, 2]); // 4 nodes open, x2 and x3 pending
  });

  it('refuses a connection when every slot is authenticated', () => {
    const { t } = table({ ...limits, reservedPeerConnections: 0 });
    for (let i = 0; i < 6; i++) expect(t.admit(t.add(`s${i}`, `A${i}`)!, 'node')).toBe(true);
    expect(t.add('late', 'L')).toBeUndefined();
  });

  it('keeps reservedPeerConnections for nodes: clients beyond the rest are not admitted', () => {
    const { t } = table();
    const admitted = ['c1', 'c2', 'c3', 'c4', 'c5'].map((s) => t.admit(t.add(s, s)!, 'client'));
    expect(admitted).toEqual([true, true, true, true, false]);
    expect(t.admit(t.add('n1', 'N1')!, 'node')).toBe(true);
    expect(t.admit(t.add('n2', 'N2')!, 'node')).toBe(true);
  });

  it('frees slots on remove, once', () => {
    const { t } = table();
    const s = t.add('a', 'A')!;
    t.admit(s, 'client');
    t.remove(s);
    t.remove(s);
    expect(t.size).toBe(0);
    expect(t.admit(s, 'client')).toBe(false);
  });
});
