/** The sender's side of a simulated stream: its source, read one chunk per pull (one chunk of credit). */
export interface Outbound {
  readonly iter: AsyncIterator<Uint8Array>;
  /** Source exhausted, failed or closed: read no more. */
  done: boolean;
  /** Serialises reads, one per pull, in arrival order. */
  chain: Promise<void>;
}

/** Stops reading `out` and closes its source (`return()`) after any read in progress. Idempotent. */
export function closeSource(out: Outbound | undefined): void {
  if (out === undefined || out.done) return;
  out.done = true;
  out.chain = out.chain
    .then(async () => {
      await out.iter.return?.();
    })
    .catch(() => undefined);
}
