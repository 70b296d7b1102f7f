import type { ServerResponse } from 'node:http';

/** Bytes a client may leave unread (the response's writable buffer) before it is dropped: a few dozen snapshots. */
export const MAX_UNSENT_BYTES = 512 * 1024;

/** Counters of the event stream, for /status and /metrics. */
export interface EventStreamStats {
  /** Clients connected now. */
  readonly clients: number;
  /** Clients refused because `maxClients` were connected. */
  readonly refused: number;
  /** Clients dropped because they read too slowly (over MAX_UNSENT_BYTES unsent). */
  readonly dropped: number;
}

/**
 * The Server-Sent Events clients of `/events`: at most `maxClients` at once
 * (accept() returns false beyond, the caller answers 503); broadcast() writes
 * one `data:` frame to each. A client whose unsent bytes exceed
 * MAX_UNSENT_BYTES after a write is destroyed, never buffered without bound.
 * A client is forgotten when its connection closes.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private refused = 0;
  private dropped = 0;

  constructor(private readonly maxClients: number) {}

  /**
   * Takes `res` (a GET /events that passed auth) as a client: sends the
   * event-stream headers and `first` as its first frame. False (nothing
   * written) when maxClients are connected.
   */
  accept(res: ServerResponse, first: string | undefined): boolean {
    if (this.clients.size >= this.maxClients) {
      this.refused++;
      return false;
    }
    this.clients.add(res);
    res.once('close', () => this.clients.delete(res));
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
    res.write('retry: 2000\n\n');
    if (first !== undefined) this.send(res, first);
    return true;
  }

  /** Sends `json` (one line, no newline) to every client as one `data:` frame. */
  broadcast(json: string): void {
    for (const res of this.clients) this.send(res, json);
  }

  /** Ends every client's stream (the endpoint stops). */
  closeAll(): void {
    for (const res of this.clients) res.destroy();
    this.clients.clear();
  }

  stats(): EventStreamStats {
    return { clients: this.clients.size, refused: this.refused, dropped: this.dropped };
  }

  private send(res: ServerResponse, json: string): void {
    res.write(`data: ${json}\n\n`);
    if (res.writableLength > MAX_UNSENT_BYTES) {
      this.dropped++;
      this.clients.delete(res);
      res.destroy();
    }
  }
}
