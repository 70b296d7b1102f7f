import { expect } from '@jest/globals';
import type { Sibling } from '@dynamis/core';
import { eventually, type ProcessCluster } from './clusterHarness';
import type { ReplicaProbe } from './replicaProbe';

/** What the damaged-table tests (damagedTable, damagedTableScrub) write: keys, values, which are deleted, and how a record shows. */
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const key = (i: number): string => `key-${String(i).padStart(4, '0')}`;
export const deleted = (i: number): boolean => i % 4 === 0;
export const show = (siblings: readonly Sibling[]): string =>
  siblings
    .map((s) => `${s.value === null ? '(tombstone)' : Buffer.from(s.value).toString()}@${Buffer.from(s.version).toString('hex')}`)
    .join(',') || '(none)';

/**
 * Points `probe` at every node, waits until each serves a W=2 write, then
 * writes keys 0..count-1 (value `value(i)`, through the nodes in turn) and
 * deletes every 4th through n1, each acknowledged by at least 2 replicas.
 */
export async function writeKeysThenDelete(
  cluster: ProcessCluster,
  probe: ReplicaProbe,
  ids: readonly string[],
  count: number,
  value: (i: number) => string,
): Promise<void> {
  for (const id of ids) probe.setAddress(id, cluster.address(id));
  for (const id of ids) {
    await eventually(async () => {
      expect((await cluster.client(id).put(`warmup-${id}`, text('x'))).acks).toBeGreaterThanOrEqual(2); // every node serving
      return true;
    });
  }
  for (let i = 0; i < count; i++)
    expect((await eventually(() => cluster.client(ids[i % ids.length]!).put(key(i), text(value(i))))).acks).toBeGreaterThanOrEqual(2);
  for (let i = 0; i < count; i++)
    if (deleted(i)) expect((await eventually(() => cluster.client('n1').delete(key(i)))).acks).toBeGreaterThanOrEqual(2);
}
