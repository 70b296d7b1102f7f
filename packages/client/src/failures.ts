// How failed attempts are recorded and reported (DynamisClient.run).
import { DynamisError } from '@dynamis/core';
import { provablyNotApplied, withoutAddress } from './Link';

/** One failed attempt, as listed in details.attempts of an UNAVAILABLE error. */
export interface Failure {
  readonly node: string;
  readonly code: string;
  /** The error's message without this node's address (named once, in `node`). */
  readonly message: string;
  /** True when the failure proves the request was not applied (never sent, or refused before the store). */
  readonly notApplied: boolean;
  /** The node's own details of the error (e.g. each replica's reason for a QUORUM_NOT_REACHED), when it gave any. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The Failure record of `err` from `node`. */
export function failureOf(node: string, err: DynamisError): Failure {
  const failure: Failure = { node, code: err.code, message: withoutAddress(err.message, node), notApplied: provablyNotApplied(err) };
  const details = err.details;
  return Object.keys(details).length === 0 ? failure : { ...failure, details };
}

/**
 * Every attempt failed transiently. `applied: false` when each failure proves
 * the request was not applied. The message names each node once, with its
 * number of attempts and each distinct reason.
 */
export function unavailable(what: string, failures: Failure[], notApplied: boolean): DynamisError {
  const nodes = [...new Set(failures.map((f) => f.node))];
  const list = nodes.map((node) => {
    const mine = failures.filter((f) => f.node === node);
    const reasons = [...new Set(mine.map((f) => f.message))].join(' | ');
    return mine.length === 1 ? `${node} (${reasons})` : `${node} (${mine.length} attempts: ${reasons})`;
  });
  return new DynamisError('UNAVAILABLE', `${what} failed on every node tried: ${list.join('; ')}`, {
    details: notApplied ? { nodes, attempts: failures, applied: false } : { nodes, attempts: failures },
  });
}

/** `err` (same code) for a write that failed after it was sent: details.maybeApplied = true. */
export function maybeApplied(what: string, node: string, err: DynamisError): DynamisError {
  return new DynamisError(err.code, `${what} on ${node} failed after it was sent; it may or may not have been applied: ${err.message}`, {
    cause: err,
    details: { ...err.details, node, maybeApplied: true },
  });
}
