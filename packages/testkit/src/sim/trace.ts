import { createHash } from 'node:crypto';
import type { NodeId } from '@dynamis/core';

/**
 * What happened to a message:
 * - `send`: a request, one-way message or stream frame left `from`;
 * - `reply`: a handler's reply (or error) left `from` (the responder);
 * - `dup`: the network made a second copy of message `id`;
 * - `deliver`: a copy reached `to`'s transport;
 * - `drop`: a copy was lost (random loss, partition, or `to` down/unknown);
 * - `timeout`: `from`'s request or stream `id` to `to` gave up.
 */
export type TraceEvent = 'send' | 'deliver' | 'drop' | 'dup' | 'reply' | 'timeout';

/**
 * One network event. `type` is the envelope type of the exchange; stream
 * frames append `#pull`, `#chunk`, `#end`, `#cancel` or `#abort`. `id` is the
 * exchange's id, shared by a request, its duplicates, its reply and its
 * stream frames.
 */
export interface TraceRecord {
  readonly t: number;
  readonly ev: TraceEvent;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: string;
  readonly id: number;
}

/** SHA-256 (hex) of the JSON of `records`: equal digests mean identical runs. */
export function digestTrace(records: readonly TraceRecord[]): string {
  return createHash('sha256').update(JSON.stringify(records)).digest('hex');
}
