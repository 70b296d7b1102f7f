import { Memtable } from '../memtable/Memtable';
import { MemtableFilter } from './MemtableFilter';

/** A memtable, the number of the WAL holding its writes, and a Bloom filter of its keys. */
export interface MemtableSlot {
  readonly mem: Memtable;
  readonly logNumber: number;
  readonly filter: MemtableFilter;
}

/** A new, empty memtable slot for WAL `logNumber`, its filter sized for `memtableBytes`. */
export function newMemtableSlot(logNumber: number, memtableBytes: number): MemtableSlot {
  return { mem: new Memtable(), logNumber, filter: new MemtableFilter(memtableBytes) };
}
