import {
  copyEnvelope,
  DynamisError,
  fromWireError,
  InboundStream,
  requireReply,
  toWireError,
  type CreditSink,
  type Envelope,
  type InboundHandler,
  type NodeId,
  type RequestOptions,
  type Timer,
  type Transport,
} from '@dynamis/core';
import type { Frame } from './frames';
import { closeSource, type Outbound } from './Outbound';
import type { SimNetwork } from './SimNetwork';

/** Chunks a stream receiver lets its sender have in flight: transport-ws's default streamChunkCredit. */
export const SIM_STREAM_CREDIT = 16;

interface Pending {
  readonly to: NodeId;
  readonly type: string;
  readonly resolve: (reply: Envelope) => void;
  readonly reject: (err: unknown) => void;
  readonly timer: Timer;
  readonly out: Outbound | undefined;
}

/**
 * One node's endpoint on a `SimNetwork`, implementing the full `Transport`
 * port on virtual time. Create it with `network.endpoint(node)`.
 *
 * Addresses are node ids: `address()` is `sim://<node>` once started, and
 * `setPeerAddress` is accepted and ignored. A request to a node with no
 * endpoint on the network fails UNAVAILABLE at once; to a node that is down
 * or cut off, it times out (TIMEOUT), as on a real network.
 *
 * Every envelope is copied when sent (so later changes by the sender do not
 * leak) and again on delivery; a payload the wire cannot carry throws
 * INVALID_ARGUMENT (core's copyEnvelope, the rules transport-ws applies) —
 * from `send` synchronously, from `request` / `stream` as a rejection.
 *
 * A request handler that resolves with no reply answers PROTOCOL_ERROR
 * (core's requireReply). The receiver of a stream is core's InboundStream
 * with SIM_STREAM_CREDIT chunks of credit, as over transport-ws: the sender
 * reads its source at most that many chunks ahead of the handler; each chunk
 * of credit travels as one 'pull' frame.
 * A stream's `timeoutMs` bounds the whole transfer, reply included.
 */
export class SimTransport implements Transport {
  /** @internal Bumped on every down/up transition; frames sent to an older incarnation are dropped. */
  incarnation = 0;
  private handler: InboundHandler | undefined;
  private state: 'new' | 'started' | 'stopped' = 'new';
  private crashed = false;
  private paused = false;
  /** What reached this node while paused (frames, request timeouts), run in order on resume. */
  private held: (() => void)[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly inbound = new Map<number, InboundStream>();

  constructor(
    readonly self: NodeId,
    private readonly network: SimNetwork,
  ) {}

  setHandler(handler: InboundHandler): void {
    this.handler = handler;
  }

  /** No-op: on the simulated network a node's address is its id. */
  setPeerAddress(_peer: NodeId, _address: string): void {}

  /** No-op, as setPeerAddress. */
  forgetPeerAddress(_peer: NodeId): void {}

  address(): string | undefined {
    return this.state === 'started' ? `sim://${this.self}` : undefined;
  }

  /** Starts receiving. Idempotent; allowed again after stop(). */
  async start(): Promise<void> {
    if (this.state === 'started') return;
    this.state = 'started';
    this.incarnation++;
  }

  /** Rejects pending requests and streams with UNAVAILABLE, breaks inbound streams. Idempotent. */
  async stop(): Promise<void> {
    const wasLive = this.isLive();
    this.state = 'stopped';
    if (wasLive) this.goDown(new DynamisError('UNAVAILABLE', `transport ${this.self} stopped`));
  }

  /**
   * Simulates a process crash: pending requests and streams reject
   * UNAVAILABLE, inbound streams break, nothing is sent or received until
   * `restart()`. Frames in flight to this node are lost, even if they arrive
   * after the restart. The handler and the started state are kept.
   */
  crash(): void {
    if (this.crashed) return;
    const wasLive = this.isLive();
    this.crashed = true;
    if (wasLive) this.goDown(new DynamisError('UNAVAILABLE', `node ${this.self} crashed`));
  }

  /**
   * Freezes the endpoint (a SIGSTOPped process; see Simulation.pauseNode):
   * frames that arrive and request timeouts that come due are held, not
   * handled, until `resume()`; peers see no reply meanwhile, so their own
   * requests time out. Idempotent.
   */
  pause(): void {
    this.paused = true;
  }

  /** Ends a pause: every held frame and timeout is handled now, in arrival order (dropped if the node went down meanwhile). Idempotent. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const run of held) run();
  }

  /** True between `pause()` and `resume()`. */
  isPaused(): boolean {
    return this.paused;
  }

  /** Ends a crash: the endpoint receives again (if started). No-op unless crashed. */
  restart(): void {
    if (!this.crashed) return;
    this.crashed = false;
    this.incarnation++;
  }

  /** Started and not crashed. */
  isLive(): boolean {
    return this.state === 'started' && !this.crashed;
  }

  request(to: NodeId, msg: Envelope, options: RequestOptions): Promise<Envelope> {
    return this.open('req', to, msg, undefined, options);
  }

  /** Fire-and-forget; silently dropped if this node is down or `to` unknown. Throws INVALID_ARGUMENT for a payload the wire cannot carry. */
  send(to: NodeId, msg: Envelope): void {
    const env = copyEnvelope(msg);
    if (!this.isLive() || !this.network.has(to)) return;
    this.network.transmit(this.self, to, { kind: 'send', id: this.network.nextId(), type: env.type, env }, false);
  }

  stream(to: NodeId, msg: Envelope, body: AsyncIterable<Uint8Array>, options: RequestOptions): Promise<Envelope> {
    return this.open('open', to, msg, body, options);
  }

  /** @internal Called by the network with a private copy of a frame. */
  receive(from: NodeId, frame: Frame): void {
    if (this.paused) {
      const incarnation = this.incarnation;
      this.held.push(() => {
        if (this.incarnation === incarnation && this.isLive()) this.receive(from, frame);
      });
      return;
    }
    switch (frame.kind) {
      case 'req':
        void this.serve(from, frame.id, frame.env, undefined);
        return;
      case 'open': {
        const id = frame.id;
        const sink = this.creditSink(from, frame.type);
        const body = new InboundStream(id, SIM_STREAM_CREDIT, sink);
        this.inbound.set(id, body);
        sink.grant(id, SIM_STREAM_CREDIT);
        void this.serve(from, id, frame.env, body);
        return;
      }
      case 'send':
        this.invoke(from, frame.env, undefined).catch(() => undefined);
        return;
      case 'res':
        this.settle(frame.id, undefined, frame.env);
        return;
      case 'err':
        this.settle(frame.id, fromWireError(frame.error));
        return;
      case 'pull':
        this.onPull(frame.id);
        return;
      case 'cancel':
        closeSource(this.pending.get(frame.id)?.out);
        return;
      case 'chunk':
        this.inbound.get(frame.id)?.push(frame.data); // never beyond credit: the sender sends one chunk per pull
        return;
      case 'end':
        this.inbound.get(frame.id)?.end();
        return;
      case 'abort':
        this.resetStream(frame.id, fromWireError(frame.error));
        return;
    }
  }

  /** @internal Breaks inbound stream `id` with `err` (sender gave up or failed). */
  resetStream(id: number, err: DynamisError): void {
    this.inbound.get(id)?.fail(err);
    this.inbound.delete(id);
  }

  private open(
    kind: 'req' | 'open',
    to: NodeId,
    msg: Envelope,
    body: AsyncIterable<Uint8Array> | undefined,
    options: RequestOptions,
  ): Promise<Envelope> {
    const timeoutMs = options?.timeoutMs;
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      return Promise.reject(new DynamisError('INVALID_ARGUMENT', `timeoutMs must be a positive number, got ${String(timeoutMs)}`));
    }
    let env: Envelope;
    try {
      env = copyEnvelope(msg);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.isLive()) {
      return Promise.reject(new DynamisError('UNAVAILABLE', `transport ${this.self} is not running`));
    }
    if (!this.network.has(to)) {
      return Promise.reject(new DynamisError('UNAVAILABLE', `unknown peer ${to}`, { details: { peer: to } }));
    }
    const id = this.network.nextId();
    const out = body === undefined ? undefined : { iter: body[Symbol.asyncIterator](), done: false, chain: Promise.resolve() };
    return new Promise<Envelope>((resolve, reject) => {
      const timer = this.network.scheduler.schedule(timeoutMs, () => {
        if (this.paused) {
          this.held.push(() => this.settle(id, timeoutError(env.type, to, timeoutMs)));
          return;
        }
        this.network.record('timeout', this.self, to, env.type, id);
        this.settle(id, timeoutError(env.type, to, timeoutMs));
      });
      this.pending.set(id, { to, type: env.type, resolve, reject, timer, out });
      this.network.transmit(this.self, to, { kind, id, type: env.type, env }, kind === 'open');
    });
  }

  /** Settles pending `id` once: with `reply`, or rejected with `err` (breaking the peer's side of a stream). */
  private settle(id: number, err: unknown, reply?: Envelope): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    p.timer.cancel();
    if (p.out !== undefined) {
      closeSource(p.out);
      if (err !== undefined) this.network.reset(p.to, id, new DynamisError('UNAVAILABLE', `stream ${id} from ${this.self} was reset`));
    }
    if (err !== undefined) p.reject(err);
    else p.resolve(reply as Envelope);
  }

  private async serve(from: NodeId, id: number, env: Envelope, body: InboundStream | undefined): Promise<void> {
    const incarnation = this.incarnation;
    let reply: Frame;
    try {
      const result = requireReply(await this.invoke(from, env, body), env.type, this.self);
      reply = { kind: 'res', id, type: env.type, env: copyEnvelope(result) };
    } catch (err) {
      reply = { kind: 'err', id, type: env.type, error: toWireError(err, `handler for '${env.type}' on ${this.self} failed`) };
    }
    if (incarnation !== this.incarnation) return; // went down meanwhile: the reply dies with the process
    if (body !== undefined) {
      this.inbound.delete(id);
      if (!body.finished) void body.return(); // handler left early: tell the sender to stop
    }
    this.wire(from, reply, body !== undefined);
  }

  private async invoke(from: NodeId, env: Envelope, body: AsyncIterable<Uint8Array> | undefined): Promise<Envelope | void> {
    const handler = this.handler;
    if (handler === undefined) throw new DynamisError('UNAVAILABLE', `no handler installed on ${this.self}`);
    return handler(from, env, body);
  }

  /** How an inbound stream from `from` grants credit (one 'pull' frame per chunk) and cancels its sender. */
  private creditSink(from: NodeId, type: string): CreditSink {
    return {
      grant: (id, chunks) => {
        for (let i = 0; i < chunks; i++) this.wire(from, { kind: 'pull', id, type });
      },
      cancel: (id) => this.wire(from, { kind: 'cancel', id, type }),
    };
  }

  /** Sends a frame if this node is up (stream frames and stream replies travel as a reliable connection). */
  private wire(to: NodeId, frame: Frame, reliable = true): void {
    if (this.isLive()) this.network.transmit(this.self, to, frame, reliable);
  }

  private onPull(id: number): void {
    const p = this.pending.get(id);
    const out = p?.out;
    if (p === undefined || out === undefined) return;
    out.chain = out.chain.then(() => this.readChunk(id, p, out));
  }

  /** Reads one chunk from the source and sends it (or the end, or an abort). */
  private async readChunk(id: number, p: Pending, out: Outbound): Promise<void> {
    if (out.done) return;
    let frame: Frame;
    try {
      const r = await out.iter.next();
      if (this.pending.get(id) !== p || out.done) return;
      if (r.done === true) {
        out.done = true;
        frame = { kind: 'end', id, type: p.type };
      } else if (!(r.value instanceof Uint8Array)) {
        throw new DynamisError('INVALID_ARGUMENT', `stream '${p.type}' body yielded a non-Uint8Array chunk`);
      } else {
        frame = { kind: 'chunk', id, type: p.type, data: new Uint8Array(r.value) };
      }
    } catch (err) {
      out.done = true;
      this.wire(p.to, { kind: 'abort', id, type: p.type, error: toWireError(err, `stream '${p.type}' source failed`) });
      this.pending.delete(id);
      p.timer.cancel();
      p.reject(err);
      return;
    }
    this.wire(p.to, frame);
  }

  private goDown(err: DynamisError): void {
    this.incarnation++;
    this.paused = false;
    this.held = [];
    for (const id of [...this.pending.keys()]) this.settle(id, err);
    for (const id of [...this.inbound.keys()]) this.resetStream(id, err);
  }
}

function timeoutError(type: string, to: NodeId, timeoutMs: number): DynamisError {
  return new DynamisError('TIMEOUT', `'${type}' to ${to} timed out after ${timeoutMs} ms`, { details: { peer: to } });
}
