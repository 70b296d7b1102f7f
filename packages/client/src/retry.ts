import { DynamisError, type Random } from '@dynamis/core';
import { provablyNotApplied } from './Link';

/**
 * How an operation may be retried.
 * - 'idempotent' (get, delete): sending it twice has the effect of sending it
 *   once, so any transient failure is retried on the next node.
 * - 'write' (put, batch, put-if-absent, put-if-version): retried only when the
 *   failure proves that no node applied it. A write that reached a node and
 *   then timed out or lost its connection may have been applied; in a Dynamo
 *   store a second copy is a *new version* (a duplicate sibling under vector
 *   clocks, a later timestamp that can overwrite a newer concurrent write under
 *   LWW), and a conditional write would fail CONFLICT against its own first
 *   attempt. So the caller gets the error and decides.
 */
export type RetryKind = 'idempotent' | 'write';

/** Failures that another node (or a later attempt) may not have. */
const TRANSIENT = new Set<string>(['UNAVAILABLE', 'TIMEOUT', 'QUORUM_NOT_REACHED']);

export function isTransient(err: unknown): boolean {
  return err instanceof DynamisError && TRANSIENT.has(err.code);
}

/** Whether a failed attempt of a `kind` operation may be sent again (see RetryKind). */
export function shouldRetry(kind: RetryKind, err: unknown): boolean {
  if (!(err instanceof DynamisError)) return false;
  if (provablyNotApplied(err)) return true;
  return kind === 'idempotent' && TRANSIENT.has(err.code);
}

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Delay before retry number `retry` (1-based): initialMs doubling, capped at maxMs, jittered to 50–100%. */
export function backoffMs(retry: number, backoff: Backoff, random: Random): number {
  const raw = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, retry - 1));
  return Math.round(raw * (0.5 + random.next() / 2));
}
