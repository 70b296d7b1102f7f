import { InsertCounter } from './InsertCounter';
import { createKeyChooser, type KeyChooser } from './keyChooser';
import { SeededSource } from './SeededSource';
import { OPERATION_TYPES, type OperationType, type WorkloadSpec } from './types';
import { MAX_SCAN_LENGTH, WORKLOADS } from './workloads';

/** One operation of the run phase. */
export interface Operation {
  readonly type: OperationType;
  /** The record it touches (for an insert, the new record's number); for a scan, the first record. */
  readonly record: number;
  /** Records a scan asks for, in [1, MAX_SCAN_LENGTH]; 0 for the other types. */
  readonly scanLength: number;
}

/** Salts of the independent random streams derived from the seed. */
const SALT = { op: 1, key: 2, scanLength: 3 } as const;

/**
 * The run phase's operations, drawn from `seed`: the type by the workload's
 * proportions, the record by its key chooser, the scan length uniformly.
 * Types and scan lengths come from their own streams, so for a seed their
 * sequence is fixed whatever the targets do. The records are too, except
 * that a chooser only picks acknowledged records: with inserts in flight
 * (workloads D and E with concurrency > 1) they depend on the order inserts
 * complete in. Call `settled(op)` once for every operation when it settles
 * (after success or failure).
 */
export class OperationStream {
  private readonly opRandom: SeededSource;
  private readonly scanRandom: SeededSource;
  private readonly inserts: InsertCounter;
  private readonly chooser: KeyChooser;
  private readonly cumulative: readonly (readonly [OperationType, number])[];

  constructor(spec: WorkloadSpec, seed: number) {
    const mix = WORKLOADS[spec.workload];
    this.opRandom = new SeededSource(seed, SALT.op);
    this.scanRandom = new SeededSource(seed, SALT.scanLength);
    this.inserts = new InsertCounter(spec.records);
    const expectedInserts = Math.floor(spec.operations * mix.proportions.insert * 2);
    const distribution = spec.distribution ?? mix.distribution;
    this.chooser = createKeyChooser(distribution, spec.records, expectedInserts, this.inserts, new SeededSource(seed, SALT.key));
    let sum = 0;
    this.cumulative = OPERATION_TYPES.filter((t) => mix.proportions[t] > 0).map((t) => [t, (sum += mix.proportions[t])] as const);
  }

  /** The next operation. */
  next(): Operation {
    const u = this.opRandom.next();
    const type = this.cumulative.find(([, upTo]) => u < upTo)?.[0] ?? this.cumulative[this.cumulative.length - 1]![0];
    if (type === 'insert') return { type, record: this.inserts.next(), scanLength: 0 };
    const record = this.chooser.next();
    return { type, record, scanLength: type === 'scan' ? 1 + this.scanRandom.int(MAX_SCAN_LENGTH) : 0 };
  }

  /** Reports that `op` settled; an insert's record then counts as existing (YCSB acknowledges failed inserts too). */
  settled(op: Operation): void {
    if (op.type === 'insert') this.inserts.acknowledge(op.record);
  }
}
