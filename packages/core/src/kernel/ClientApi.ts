import { inject, injectable, optional, type ServiceIdentifier } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { DynamisError } from '../errors/DynamisError';
import { ClockToken, type Clock } from '../ports/Clock';
import { ConflictResolverToken, type ConflictResolver } from '../ports/ConflictResolver';
import type { ReadOptions, ReadResult, ScanOptions, ScanPage, StoreBatchOp, WriteOptions, WriteResult } from '../ports/Coordinator';
import type { Lifecycle } from '../ports/Lifecycle';
import { LoggerToken, type Logger } from '../ports/Logger';
import type { Envelope } from '../ports/Transport';
import type { CausalContext } from '../ports/types';
import {
  CLIENT_MESSAGE,
  CLIENT_REPLY,
  clientBatchSchema,
  clientDeleteSchema,
  clientGetSchema,
  clientPutSchema,
  clientScanSchema,
  type ClientBatchRequest,
  type ClientScanRequest,
  type ClientDeleteRequest,
  type ClientGetRequest,
  type ClientPutRequest,
} from './clientProtocol';
import { MessageRouter, MessageRouterToken } from './MessageRouter';
import { Store, StoreToken } from './Store';

const OWNER = '@dynamis/core:client-api';

/**
 * Serves the client protocol (kernel/clientProtocol.ts, docs/protocol.md
 * "Client API"): registers `client.put`, `client.get`, `client.delete`,
 * `client.batch` and `client.scan` with the MessageRouter, audience 'clients' (a node sender is
 * refused UNAUTHORIZED by the router), and answers each by calling the Store.
 * Active only in a node that has a Transport; started after it, so stopped
 * before it.
 *
 * Errors reach the client unchanged: the Store's INVALID_KEY,
 * VALUE_TOO_LARGE, INVALID_ARGUMENT, then the Coordinator's CONFLICT,
 * QUORUM_NOT_REACHED, TIMEOUT, UNAVAILABLE. Every context a client sends
 * (`context`, `ifVersion`, a batch op's `context`) is checked with the
 * ConflictResolver's validateContext first (INVALID_ARGUMENT), when the node
 * has a resolver (the transport sends a thrown
 * DynamisError back with its code). A request arriving once drain() or stop()
 * has begun is refused with UNAVAILABLE, details
 * `{ shuttingDown: true, applied: false }`: it never reached the Store, so a
 * client may safely send it elsewhere.
 */
@injectable()
export class ClientApi implements Lifecycle {
  private registered = false;
  private accepting = false;
  private inFlight = 0;
  private idle: (() => void) | undefined;
  private draining: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(
    @inject(StoreToken) private readonly store: Store,
    @inject(MessageRouterToken) private readonly router: MessageRouter,
    @inject(ConfigToken) private readonly config: DynamisConfig,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(LoggerToken) logger: Logger,
    @inject(ConflictResolverToken) @optional() private readonly resolver?: ConflictResolver,
  ) {
    this.log = logger.child({ component: 'client-api' });
  }

  /** Requests handed to the Store and not yet answered. */
  get pending(): number {
    return this.inFlight;
  }

  /** Registers the client message types. Throws INVALID_ARGUMENT if a plugin already registered one. Idempotent. */
  async start(): Promise<void> {
    if (this.registered) return;
    const r = this.router;
    // One bound handler per type; a request costs its Store call and one `then`, no closure of its own.
    r.register(CLIENT_MESSAGE.put, clientPutSchema, this.onPut, OWNER, 'clients');
    r.register(CLIENT_MESSAGE.get, clientGetSchema, this.onGet, OWNER, 'clients');
    r.register(CLIENT_MESSAGE.delete, clientDeleteSchema, this.onDelete, OWNER, 'clients');
    r.register(CLIENT_MESSAGE.batch, clientBatchSchema, this.onBatch, OWNER, 'clients');
    r.register(CLIENT_MESSAGE.scan, clientScanSchema, this.onScan, OWNER, 'clients');
    this.registered = true;
    this.accepting = true;
    this.draining = undefined;
  }

  /**
   * The first half of a graceful shutdown: from now on refuses new requests
   * (as not applied, see above); resolves once every request already handed
   * to the Store has been answered (waiting at most timeouts.requestMs; what
   * still runs then is logged and left to the transport's stop) and then
   * `lingerMs` more, during which requests already on the wire get that clean
   * refusal instead of a lost connection. Idempotent: a second call returns
   * the first one's promise. Cleared by start().
   */
  drain(lingerMs = 0): Promise<void> {
    this.accepting = false;
    return (this.draining ??= this.drainNow(lingerMs));
  }

  /** drain(0), then unregisters the types. Idempotent. */
  async stop(): Promise<void> {
    this.accepting = false;
    if (!this.registered) return;
    await this.drain(0);
    for (const type of Object.values(CLIENT_MESSAGE)) this.router.unregister(type);
    this.registered = false;
  }

  private async drainNow(lingerMs: number): Promise<void> {
    const waiting = this.inFlight;
    if (waiting > 0) {
      const ms = this.config.timeouts.requestMs;
      if (await this.drained(ms)) this.log.info('client requests drained', { waiting });
      else this.log.warn('client requests still running after the drain timeout', { waiting: this.inFlight, ms });
    }
    // Also lets the transport write the last replies before anything below us stops.
    if (waiting > 0 || lingerMs > 0) await this.clock.sleep(lingerMs);
  }

  private readonly onPut = (_from: string, m: ClientPutRequest): Promise<Envelope> => {
    if (!this.accepting) return Promise.reject(this.shuttingDown());
    try {
      return this.track(this.checked(m.options).store.put(m.key, m.value, writeOpts(m.options)), this.putDone);
    } catch (err) {
      return Promise.reject(err);
    }
  };

  private readonly onGet = (_from: string, m: ClientGetRequest): Promise<Envelope> => {
    if (!this.accepting) return Promise.reject(this.shuttingDown());
    return this.track(this.store.get(m.key, readOpts(m.options)), this.getDone);
  };

  private readonly onDelete = (_from: string, m: ClientDeleteRequest): Promise<Envelope> => {
    if (!this.accepting) return Promise.reject(this.shuttingDown());
    try {
      return this.track(this.checked(m.options).store.delete(m.key, writeOpts(m.options)), this.deleteDone);
    } catch (err) {
      return Promise.reject(err);
    }
  };

  private readonly onBatch = (_from: string, m: ClientBatchRequest): Promise<Envelope> => {
    if (!this.accepting) return Promise.reject(this.shuttingDown());
    return this.track(this.batch(m), this.batchDone);
  };

  private readonly onScan = (_from: string, m: ClientScanRequest): Promise<Envelope> => {
    if (!this.accepting) return Promise.reject(this.shuttingDown());
    return this.track(this.store.scan(strip({ ...m }) as ScanOptions), this.scanDone);
  };

  /** Counts `work` in flight until it settles; `done` (one of the bound handlers below) makes the reply envelope. */
  private track<T>(work: Promise<T>, done: (result: T) => Envelope): Promise<Envelope> {
    this.inFlight++;
    return work.then(done, this.failed);
  }

  // One bound handler per reply type: a request allocates no closure of its own.
  private readonly putDone = (r: WriteResult): Envelope => {
    this.settled();
    return { type: CLIENT_REPLY.put, payload: write(r) };
  };

  private readonly getDone = (r: ReadResult): Envelope => {
    this.settled();
    return { type: CLIENT_REPLY.get, payload: read(r) };
  };

  private readonly deleteDone = (r: WriteResult): Envelope => {
    this.settled();
    return { type: CLIENT_REPLY.delete, payload: write(r) };
  };

  private readonly batchDone = (r: { results: ReturnType<typeof write>[] }): Envelope => {
    this.settled();
    return { type: CLIENT_REPLY.batch, payload: r };
  };

  private readonly scanDone = (p: ScanPage): Envelope => {
    this.settled();
    const items = p.items.map((i) => ({ key: i.key, siblings: wireValues(i.siblings), context: i.context }));
    return { type: CLIENT_REPLY.scan, payload: { items, cursor: p.cursor } };
  };

  private readonly failed = (err: unknown): never => {
    this.settled();
    throw err;
  };

  private settled(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.idle?.();
  }

  private shuttingDown(): DynamisError {
    return new DynamisError('UNAVAILABLE', `node ${this.config.nodeId} is shutting down; the request was not applied`, {
      details: { node: this.config.nodeId, shuttingDown: true, applied: false },
    });
  }

  /** Validates the contexts a client sent (throws INVALID_ARGUMENT); returns this for chaining. Reads the clock only for a context. */
  private checked(o: { context?: CausalContext; ifVersion?: CausalContext } | undefined): this {
    if (o === undefined || (o.context === undefined && o.ifVersion === undefined)) return this;
    const now = this.clock.now();
    if (o.context !== undefined) this.resolver?.validateContext(o.context, now);
    if (o.ifVersion !== undefined) this.resolver?.validateContext(o.ifVersion, now);
    return this;
  }

  private async batch(m: ClientBatchRequest): Promise<{ results: ReturnType<typeof write>[] }> {
    for (const op of m.ops) this.checked(op);
    const ops: StoreBatchOp[] = m.ops.map((op) =>
      op.type === 'put'
        ? strip({ type: 'put', key: op.key, value: op.value, ttlMs: op.ttlMs, context: op.context })
        : strip({ type: 'del', key: op.key, context: op.context }),
    );
    const results = await this.store.batch(ops, writeOpts(m.options));
    return { results: results.map(write) };
  }

  /** Resolves true once nothing is in flight, false after `ms`. */
  private drained(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimer(ms, () => {
        this.idle = undefined;
        resolve(false);
      });
      this.idle = () => {
        this.idle = undefined;
        timer.cancel();
        resolve(true);
      };
    });
  }
}

/** The options of a request that sent none: one shared frozen object (the Store and coordinators only read options). */
const NO_OPTIONS: WriteOptions & ReadOptions = Object.freeze({});

/** Options as parsed; `consistency` is checked by the Store (INVALID_ARGUMENT), hence the casts. */
function writeOpts(o: ClientPutRequest['options']): WriteOptions {
  return o === undefined ? NO_OPTIONS : (strip({ ...o }) as WriteOptions);
}

function readOpts(o: ClientGetRequest['options']): ReadOptions {
  return o === undefined ? NO_OPTIONS : (strip({ ...o }) as ReadOptions);
}

/** The wire form of a WriteResult (exactly these fields). */
function write(r: WriteResult): { context: Uint8Array; acks: number } {
  return { context: r.context, acks: r.acks };
}

/** The wire form of a ReadResult; absent expiries are omitted, not sent as undefined. */
function read(r: ReadResult): {
  found: boolean;
  siblings: Array<{ value: Uint8Array; writtenAt: number; expiresAt?: number }>;
  context: Uint8Array;
} {
  return { found: r.found, siblings: wireValues(r.siblings), context: r.context };
}

/** Live siblings as the wire carries them; absent expiries are omitted. */
function wireValues(siblings: ReadResult['siblings']): Array<{ value: Uint8Array; writtenAt: number; expiresAt?: number }> {
  return siblings.map((s) =>
    s.expiresAt === undefined
      ? { value: s.value, writtenAt: s.writtenAt }
      : { value: s.value, writtenAt: s.writtenAt, expiresAt: s.expiresAt },
  );
}

/** Drops undefined properties (so the Store sees absent options, not explicit undefineds). */
function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export const ClientApiToken: ServiceIdentifier<ClientApi> = Symbol.for('dynamis.ClientApi');
