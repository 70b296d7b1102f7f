/** Per-peer figures in a stats snapshot. */
export interface PeerStats {
  /** An authenticated connection is open (either direction). */
  readonly connected: boolean;
  /** Round-trip time from ping/pong, EWMA (alpha 0.2), ms; undefined before the first pong. */
  readonly rttMs: number | undefined;
  /** Bytes handed to the socket but not yet written to the kernel. */
  readonly bufferedBytes: number;
  /** Bytes waiting in the bounded send queue (backpressure) or for a connection. */
  readonly queuedBytes: number;
}

/** A point-in-time copy of the transport's counters (all monotonic except gauges). */
export interface WsTransportStats {
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /**
   * Writes of data frames handed to sockets: one per tick's batch of frames,
   * per lone frame, per frame too big to batch (ws's ping/pong/close frames
   * are not counted). `messagesOut / socketWrites` is how many frames a
   * write carries on average.
   */
  readonly socketWrites: number;
  /** Requests and streams that failed, for any reason (timeouts included). */
  readonly errors: number;
  readonly timeouts: number;
  /** Error replies sent because a handler threw (or gave no reply). */
  readonly handlerErrors: number;
  /** Undecodable or invalid frames, frames out of order; each closed its connection. */
  readonly protocolViolations: number;
  /** Replies and stream frames for an unknown exchange (late replies after a timeout included); ignored. */
  readonly unknownCorrelation: number;
  /** Handshakes refused: bad headers, wrong proof, wrong peer identity. */
  readonly authFailures: number;
  readonly handshakeTimeouts: number;
  /** Inbound connections refused: every slot held by authenticated connections, or no client slot left at authentication. */
  readonly refusedConnections: number;
  /** Pending handshakes closed to make room for a newer connection (oldest first; per address, then node-wide). */
  readonly evictedHandshakes: number;
  /** Inbound requests and streams refused UNAVAILABLE (overloaded) before reaching a handler. */
  readonly overloaded: number;
  /** Inbound requests and streams answered INVALID_KEY for a string that is not well-formed UTF-8. */
  readonly illFormedText: number;
  /** Connections dropped because a reply to them could not be queued: the peer was not reading. */
  readonly slowReaderCloses: number;
  readonly reconnectAttempts: number;
  /** Connections re-established to a peer after one was lost. */
  readonly reconnects: number;
  /** One-way messages dropped (no connection, queue full, or too large). */
  readonly dropped: number;
  /** Gauge: requests and streams awaiting their reply. */
  readonly inFlight: number;
  /** Gauge: authenticated connections open. */
  readonly connections: number;
  readonly peers: Readonly<Record<string, PeerStats>>;
}

/** The mutable counters behind WsTransportStats (internal; gauges are filled in by the snapshot). */
export class Counters {
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  socketWrites = 0;
  errors = 0;
  timeouts = 0;
  handlerErrors = 0;
  protocolViolations = 0;
  unknownCorrelation = 0;
  authFailures = 0;
  handshakeTimeouts = 0;
  refusedConnections = 0;
  evictedHandshakes = 0;
  overloaded = 0;
  illFormedText = 0;
  slowReaderCloses = 0;
  reconnectAttempts = 0;
  reconnects = 0;
  dropped = 0;
}
