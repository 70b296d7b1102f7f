import type { ServiceIdentifier } from 'inversify';
import type { EventSource } from './EventSource';
import type { NodeId } from './types';

export interface FailureDetectorEvents extends Record<string, unknown> {
  up: NodeId;
  down: NodeId;
}

/**
 * Decides whether a peer is alive from evidence (heartbeats, probe replies).
 * A phi-accrual detector reports suspicion as a level; a SWIM detector as
 * suspect/confirmed. Both answer `isAlive`.
 */
export interface FailureDetector extends EventSource<FailureDetectorEvents> {
  /** Records evidence that `peer` was alive at time `now` (ms). */
  heartbeat(peer: NodeId, now: number): void;
  isAlive(peer: NodeId): boolean;
  /** Suspicion level (phi; 0 = certainly alive). */
  suspicion(peer: NodeId): number;
  /** Stops tracking `peer` (it left). */
  forget(peer: NodeId): void;
}

export const FailureDetectorToken: ServiceIdentifier<FailureDetector> = Symbol.for('dynamis.FailureDetector');
