import { DynamisError, type StoreBatchOp, type WriteResult } from '@dynamis/core';

/**
 * The error a batch rejects with when some key failed: the first failed
 * key's code, `details.outcomes` one per op in order (`{ key, ok: true, acks }`
 * or `{ key, ok: false, code, message }`).
 */
export function batchFailure(ops: readonly StoreBatchOp[], results: readonly PromiseSettledResult<WriteResult>[]): DynamisError {
  const code = (reason: unknown) => (reason instanceof DynamisError ? reason.code : 'UNAVAILABLE');
  const outcomes = results.map((r, i) =>
    r.status === 'fulfilled'
      ? { key: ops[i]!.key, ok: true, acks: r.value.acks }
      : { key: ops[i]!.key, ok: false, code: code(r.reason), message: String((r.reason as Error)?.message ?? r.reason) },
  );
  const first = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
  const failed = outcomes.filter((o) => !o.ok).length;
  return new DynamisError(
    code(first.reason),
    `batch: ${failed} of ${ops.length} keys failed; first: ${String((first.reason as Error)?.message)}`,
    {
      cause: first.reason,
      details: { outcomes },
    },
  );
}
