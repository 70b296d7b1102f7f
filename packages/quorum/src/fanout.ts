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
   * settled, or too few nodes to ask), naming who answered and who did not.
   */
  readonly quorum: Promise<FanoutOutcome<T>>;
  /** Resolves once every call settled (never rejects): what read repair works from. */
  readonly settled: Promise<FanoutOutcome<T>>;
}

/**
 * Calls `call(node)` on every node of `targets` in parallel; `skipped` are
 * primaries not asked at all (believed down), reported as missing.
 */
export function fanout<T>(
  what: string,
  targets: readonly NodeId[],
  skipped: readonly Missing[],
  required: number,
  call: (node: NodeId) => Promise<T>,
): Fanout<T> {
  const answered = new Map<NodeId, T>();
  const missing: Missing[] = [...skipped];
  let settle!: () => void;
  const settled = new Promise<FanoutOutcome<T>>((resolve) => {
    settle = () => resolve({ answered: new Map(answered), missing: [...missing] });
  });
  const quorum = new Promise<FanoutOutcome<T>>((resolve, reject) => {
    let done = false;
    const check = (): void => {
      const pending = targets.length - answered.size - (missing.length - skipped.length);
      if (!done && answered.size >= required) {
        done = true;
        resolve({ answered: new Map(answered), missing: [...missing] });
      } else if (!done && answered.size + pending < required) {
        done = true;
        reject(
          new DynamisError('QUORUM_NOT_REACHED', `${what}: ${answered.size} of the ${required} required replicas answered`, {
            details: { required, answered: [...answered.keys()], missing: missing.map((m) => ({ node: m.node, reason: m.reason })) },
          }),
        );
      }
      if (pending === 0) settle();
    };
    for (const node of targets) {
      call(node).then(
        (reply) => {
          answered.set(node, reply);
          check();
        },
        (err: unknown) => {
          const reason = err instanceof DynamisError ? `${err.code}: ${err.message}` : String(err);
          missing.push({ node, reason });
          check();
        },
      );
    }
    check();
  });
  return { quorum, settled };
}
