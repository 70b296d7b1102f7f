import { DynamisError, type NodeId } from '@dynamis/core';

/** A node that did not answer, and why (the error's code and message, or 'down'). */
export interface Missing {
  readonly node: NodeId;
  readonly reason: string;
}

export interface FanoutOutcome<T> {
  /** Replies in arrival order. */
  readonly answered: ReadonlyMap<NodeId, T>;
  readonly missing: readonly Missing[];
}

export interface Fanout<T> {
  /**
   * Resolves once `required` calls succeeded (with the replies so far), or
   * rejects QUORUM_NOT_REACHED once that can no longer happen (every call
   * settled), naming who answered and who did not. With fewer `targets` than
   * `required`, rejects at once and calls nobody (Riak's pw/pr fail fast).
   */
  readonly quorum: Promise<FanoutOutcome<T>>;
  /** Resolves once every call settled (never rejects): what read repair works from. */
  readonly settled: Promise<FanoutOutcome<T>>;
}

/**
 * Calls `call(node)` on every node of `targets` in parallel; `skipped` are
 * primaries not asked at all (believed down), reported as missing. `what`
 * names the operation in a QUORUM_NOT_REACHED message, e.g. `write of "k"`
 * (a function: only built when the quorum fails).
 */
export function fanout<T>(
  what: () => string,
  targets: readonly NodeId[],
  skipped: readonly Missing[],
  required: number,
  call: (node: NodeId) => Promise<T>,
): Fanout<T> {
  const answered = new Map<NodeId, T>();
  const missing: Missing[] = [...skipped];
  let settle!: () => void;
  const settled = new Promise<FanoutOutcome<T>>((resolve) => {
    // Every call has settled: nothing changes `answered` or `missing` any more, so they are handed out as they are.
    settle = () => resolve({ answered, missing });
  });
  const quorum = new Promise<FanoutOutcome<T>>((resolve, reject) => {
    let done = false;
    const called = targets.length >= required;
    const check = (): void => {
      const pending = called ? targets.length - answered.size - (missing.length - skipped.length) : 0;
      if (!done && answered.size >= required) {
        done = true;
        resolve({ answered: new Map(answered), missing: [...missing] });
      } else if (!done && answered.size + pending < required) {
        done = true;
        reject(quorumNotReached(what, required, { answered, missing }));
      }
      if (pending === 0) settle();
    };
    // Too few nodes to ask: fail before calling any, so nothing is written.
    if (!called) {
      const reason = notAskedReason(targets.length, required);
      for (const node of targets) missing.push({ node, reason });
      check();
      return;
    }
    for (const node of targets) {
      call(node).then(
        (reply) => {
          answered.set(node, reply);
          check();
        },
        (err: unknown) => {
          missing.push({ node, reason: missingReason(err) });
          check();
        },
      );
    }
    check();
  });
  // Callers may await other work before `quorum`: a rejection meanwhile is not unhandled.
  quorum.catch(() => undefined);
  return { quorum, settled };
}

/** The reason a replica call's failure is reported with in `missing`: the error's code and message. */
export function missingReason(err: unknown): string {
  return err instanceof DynamisError ? `${err.code}: ${err.message}` : String(err);
}

/** The reason given for each target when there are fewer than `required` (none is asked): targets are the replicas believed alive that the route lets this request use. */
export function notAskedReason(targets: number, required: number): string {
  return `not asked: only ${targets} replicas can be asked (believed alive and, for a read, known to hold the partition), ${required} required`;
}

/** The QUORUM_NOT_REACHED error of an operation `what` that needed `required` replies and got `outcome`'s. */
export function quorumNotReached<T>(what: () => string, required: number, outcome: FanoutOutcome<T>): DynamisError {
  return new DynamisError('QUORUM_NOT_REACHED', `${what()}: ${outcome.answered.size} of the ${required} required replicas answered`, {
    details: {
      required,
      answered: [...outcome.answered.keys()],
      missing: outcome.missing.map((m) => ({ node: m.node, reason: m.reason })),
    },
  });
}
