import { DynamisError, isDynamisError, type NodeId } from '@dynamis/core';

/**
 * Holds a coordinator's write to its own replica until a remote replica has
 * accepted the new version, when versions carry wall-clock time (the
 * resolver's `maxSkewMs`). Replicas refuse a version stamped more than
 * maxSkewMs ahead of their clock (INVALID_ARGUMENT, `clockSkew: true`); the
 * coordinator's own replica judges by the coordinator's clock, so without
 * the gate a coordinator whose clock runs ahead would keep, on its own
 * replica, the version every other replica refused, and it would shadow
 * later writes there until real time caught up.
 *
 * - `accepted()`: a remote replica (or hint holder) accepted: the gate opens.
 * - `refused(node, err)`: a remote refused; a clock-skew refusal before any
 *   acceptance closes the gate for good (`skew` keeps it).
 * - Once every remote has settled without a clock-skew refusal the gate
 *   opens too (they were unreachable: the write goes on as without the gate).
 * - With no remote target the gate is open from the start.
 */
export class LocalWriteGate {
  /** The first clock-skew refusal that closed the gate, if one did. */
  skew: DynamisError | undefined;
  readonly open: Promise<void>;
  private pending: number;
  private decided = false;
  private resolve!: () => void;
  private reject!: (err: DynamisError) => void;

  /** True when the gate holds the local write at all (some remote target). */
  readonly gated: boolean;

  constructor(remotes: number) {
    this.pending = remotes;
    this.gated = remotes > 0;
    this.open = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.open.catch(() => undefined);
    if (remotes === 0) this.decide();
  }

  accepted(): void {
    this.pending--;
    this.decide();
  }

  refused(node: NodeId, err: unknown): void {
    this.pending--;
    if (!this.decided && this.skew === undefined && isClockSkew(err)) {
      this.skew = new DynamisError('INVALID_ARGUMENT', `${node} refused the write's version: ${(err as Error).message}`, {
        cause: err,
        details: { ...(err as DynamisError).details, refusedBy: node, applied: false },
      });
      this.decided = true;
      this.reject(this.skew);
      return;
    }
    if (this.pending <= 0) this.decide();
  }

  private decide(): void {
    if (this.decided) return;
    this.decided = true;
    this.resolve();
  }
}

/** True for a replica's refusal of a version too far ahead of its clock (checkIncomingSiblings with LWW). */
export function isClockSkew(err: unknown): boolean {
  return isDynamisError(err, 'INVALID_ARGUMENT') && err.details['clockSkew'] === true;
}
