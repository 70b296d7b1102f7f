import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { Counters } from '../Counters';

/** Bytes of a batch buffer. */
const BATCH_BYTES = 32 * 1024;
/** Most bytes held back in one tick before they are written anyway (the bound on corked bytes). */
export const MAX_CORKED_BYTES = 16 * 1024;
/**
 * Most messages a client connection (role `client`, both ends) holds back
 * before writing them anyway. A client pipelining 64 small requests on one
 * connection and its node otherwise take turns: the node gets the whole
 * burst in one write at the end of the client's iteration, answers it in one
 * write at the end of its own, and each process waits while the other works
 * (the rate is about 1 / (client + node CPU per request)). Writing every 16
 * frames lets the other end start on the first ones while the rest are
 * produced, so the two overlap on two cores. Peer links (role `node`) have
 * no frame bound: a node's fan-out is CPU-bound, not turn-bound, and more
 * writes only cost it CPU (measured: WsTransport at 64 in flight 5.2 -> 8.8
 * µs per round trip with this bound).
 */
export const CLIENT_CORKED_FRAMES = 16;
/** Frames bigger than this are written as they are, never copied into a batch. */
const COPY_LIMIT = 8 * 1024;
/** Bytes of the header of an `n`-byte binary message (RFC 6455 §5.2). */
function headerBytes(n: number, masked: boolean): number {
  return 2 + (n < 126 ? 0 : n < 0x10000 ? 2 : 8) + (masked ? 4 : 0);
}

const NO_BUFFER = Buffer.alloc(0);

/** ws's readyState OPEN. */
const OPEN = 1;
/** WebSocket opcode of a final binary frame (RFC 6455 §5.2). */
const FIN_BINARY = 0x82;

/**
 * The batches holding frames for the end of this event-loop iteration: one
 * setImmediate for all of them (the check phase, which runs once the poll
 * phase has handled every socket that was ready), not one per connection.
 */
const due: TickBatch[] = [];
let dueScheduled = false;

function flushDue(): void {
  dueScheduled = false;
  // Batches queued while these run (a write from inside an immediate) wait for the next turn's check phase.
  const batches = due.splice(0, due.length);
  for (const b of batches) b.endOfLoop();
}

function atCheckPhase(b: TickBatch): void {
  due.push(b);
  if (!dueScheduled) {
    dueScheduled = true;
    setImmediate(flushDue);
  }
}

/**
 * Writes WebSocket binary messages straight to a connection's socket, the
 * frames of one event-loop iteration in one socket write (RFC 6455 framing,
 * done here instead of in ws's Sender so that a burst costs one copy into one
 * buffer and one syscall, with no per-frame header buffer or write request).
 *
 * Frames produced by the different I/O callbacks of one iteration (replies
 * to requests that came in on several sockets, engine completions) leave
 * together: they are held until the iteration's check phase (one shared
 * setImmediate), or until MAX_CORKED_BYTES (or, on a client connection,
 * `maxFrames`: CLIENT_CORKED_FRAMES) are held. A quiet connection
 * waits for nothing: when it wrote at most one message in its last active
 * iteration, the first message of the next one leaves at once (a lone
 * request, or a reply at 1 in flight, costs no added latency); only a busy
 * connection (two or more messages in its last active iteration) holds its
 * first one back too, so that a steady stream costs one write per iteration.
 * A message over COPY_LIMIT bytes flushes the batch and is written without a
 * copy. A lone message goes in a small pooled buffer; the batch buffer
 * (BATCH_BYTES) exists only while the connection is busy, is reused whenever
 * the socket took every earlier write synchronously (nothing of it is
 * referenced any more), else later frames go after the written ones and a
 * full buffer is replaced.
 *
 * `masked` (the dialing side: RFC 6455 requires clients to mask) sets the
 * mask bit with a zero masking key, as the dialer's ws does (see dial.ts):
 * the payload is unchanged. Messages are written in call order; ws's own
 * control frames (ping, pong, close) may go between two of them, never
 * inside one. Call `flush` before anything else writes a data frame or a
 * close frame to the socket. Every write handed to the socket (a lone
 * message, a batch, or a big message with its header, corked into one
 * writev) adds one to `counters.socketWrites`.
 */
export class TickBatch {
  /** Held only while the connection is busy (it wrote two or more messages in its last active iteration); see endOfLoop. */
  private buf: Buffer = NO_BUFFER;
  /** [start, end) is written into `buf` but not yet to the socket. */
  private start = 0;
  private end = 0;
  /** Messages written since the last check phase (0: not queued for it). */
  private writesThisLoop = 0;
  /** Two or more messages in the last iteration that wrote any: the next iteration's first message waits too. */
  private busy = false;
  /** Messages in [start, end). */
  private held = 0;

  /** `maxFrames`: most messages held back before they are written anyway (Infinity: only the byte bound). */
  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly masked: boolean,
    private readonly counters: Pick<Counters, 'socketWrites'>,
    private readonly maxFrames = Infinity,
  ) {}

  /** Writes `message` as one binary WebSocket message: now if the connection is quiet, else with this iteration's batch. Dropped if the WebSocket is not open. */
  write(message: Buffer): void {
    if (this.ws.readyState !== OPEN) return;
    const first = this.writesThisLoop++ === 0;
    if (first) atCheckPhase(this);
    const n = message.length;
    if (n > COPY_LIMIT) {
      this.flush();
      const header = Buffer.allocUnsafe(14);
      const h = this.header(header, 0, n);
      this.counters.socketWrites++;
      this.socket.cork();
      this.socket.write(header.subarray(0, h));
      this.socket.write(message);
      this.socket.uncork();
      return;
    }
    if (first && !this.busy && this.end === this.start) {
      // A lone message (the usual case of a quiet connection): one small pooled buffer, no batch buffer needed.
      const out = Buffer.allocUnsafe(headerBytes(n, this.masked) + n);
      message.copy(out, this.header(out, 0, n));
      this.counters.socketWrites++;
      this.socket.write(out);
      return;
    }
    if (this.end + n + 14 > this.buf.length) this.renew();
    const at = this.header(this.buf, this.end, n);
    message.copy(this.buf, at);
    this.end = at + n;
    if (++this.held >= this.maxFrames || this.end - this.start >= MAX_CORKED_BYTES) this.flush();
  }

  /** Writes what the batch holds now; drops it if the WebSocket is no longer open (no data after a close frame). */
  flush(): void {
    this.held = 0;
    if (this.end === this.start) return;
    if (this.ws.readyState !== OPEN) {
      this.start = this.end;
      return;
    }
    this.counters.socketWrites++;
    this.socket.write(this.buf.subarray(this.start, this.end));
    // Taken synchronously (nothing left in the socket's buffer): no write references the buffer; start over.
    if (this.socket.writableLength === 0) this.start = this.end = 0;
    else this.start = this.end;
  }

  /** The check phase of an iteration in which this connection wrote: write the batch, and note whether it was busy. */
  endOfLoop(): void {
    this.busy = this.writesThisLoop > 1;
    this.writesThisLoop = 0;
    this.flush();
    if (!this.busy) {
      // Quiet again: let go of the batch buffer (memory per connection stays O(1) for quiet ones). Dropping our
      // reference is always safe; the socket keeps what it still has to write.
      this.buf = NO_BUFFER;
      this.start = this.end = 0;
    }
  }

  /** Flushes, then makes sure a small frame fits: the same buffer if the socket let go of it, else a new one. */
  private renew(): void {
    this.flush();
    if (this.end + COPY_LIMIT + 14 > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
      this.start = this.end = 0;
    }
  }

  /** Writes the frame header for an `n`-byte binary message at `at`; returns where the payload goes. */
  private header(b: Buffer, at: number, n: number): number {
    const mask = this.masked ? 0x80 : 0;
    b[at++] = FIN_BINARY;
    if (n < 126) b[at++] = mask | n;
    else if (n < 0x10000) {
      b[at++] = mask | 126;
      at = b.writeUInt16BE(n, at);
    } else {
      b[at++] = mask | 127;
      at = b.writeUInt32BE(0, at);
      at = b.writeUInt32BE(n, at);
    }
    if (this.masked) at = b.writeUInt32BE(0, at); // the zero masking key
    return at;
  }
}
