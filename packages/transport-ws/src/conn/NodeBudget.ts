/**
 * Node-wide byte budgets shared by every connection of one transport (or
 * client): bytes of inbound requests being handled, and bytes of frames
 * waiting in send queues (replies to slow readers above all). Connections
 * reserve before they take and release exactly what they reserved; nothing
 * here blocks or throws.
 */
export class NodeBudget {
  /** Bytes of inbound request frames whose handler has not answered yet. */
  requestBytes = 0;
  /** Bytes of frames in the send queues of every connection. */
  queuedBytes = 0;

  constructor(
    readonly maxRequestBytes: number,
    readonly maxQueuedBytes: number,
  ) {}

  /** True if `bytes` more of queued frames fit. */
  canQueue(bytes: number): boolean {
    return this.queuedBytes + bytes <= this.maxQueuedBytes;
  }

  /** True if a request of `bytes` may start: it fits, or nothing else is in flight (one request always may). */
  canServe(bytes: number): boolean {
    return this.requestBytes === 0 || this.requestBytes + bytes <= this.maxRequestBytes;
  }
}
