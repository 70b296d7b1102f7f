import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Lifecycle, Logger, Timer } from '@dynamis/core';
import { AdminMetrics } from './AdminMetrics';
import type { Dashboard } from './Dashboard';
import { DASHBOARD_HTML } from './dashboardPage';
import { EventStream } from './EventStream';
import { snapshotNode, type AdminSources } from './NodeView';
import type { AdminOptions } from './options';

type Phase = 'created' | 'running' | 'stopping' | 'stopped';

/** Header and whole-request deadlines of the HTTP server (slowloris bound). */
const REQUEST_TIMEOUT_MS = 10_000;

/** Period of the dashboard: one op window, one snapshot read and one /events frame per period. */
export const UPDATE_PERIOD_MS = 1000;

/** The paths that accept the token as `?token=` too (a browser cannot set a header on a page load or an EventSource). */
const QUERY_TOKEN_PATHS = new Set(['/', '/events']);

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * The admin HTTP endpoint, a background service of the admin plugin (started
 * after the ports it reads, stopped before them). Serves GET/HEAD `/health`,
 * `/metrics`, `/status`, the dashboard page `/` and its Server-Sent Events
 * `/events` (one DashboardSnapshot every UPDATE_PERIOD_MS; 503 beyond
 * maxEventClients streams); 404 for any other path, 405 for another method,
 * 413 for a request announcing a body (never read), 401 without the token
 * when one is configured (`Authorization: Bearer`, or `?token=` on `/` and
 * `/events`). Every response closes its connection once complete.
 */
export class AdminService implements Lifecycle {
  readonly metrics: AdminMetrics;
  private server: Server | undefined;
  private phase: Phase = 'created';
  private startedAt = 0;
  private readonly tokenDigest: Buffer | undefined;
  private readonly events: EventStream;
  private ticker: Timer | undefined;

  constructor(
    private readonly options: AdminOptions,
    private readonly sources: AdminSources,
    private readonly dashboard: Dashboard,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.metrics = new AdminMetrics(sources.nodeId);
    this.tokenDigest = options.token === undefined ? undefined : digest(options.token);
    this.events = new EventStream(options.maxEventClients);
  }

  /** `http://host:port/` once started; undefined before start and after stop. */
  url(): string | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (a === undefined || a === null || typeof a === 'string') return undefined;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/`;
  }

  /** Binds `listen`; rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL). */
  async start(): Promise<void> {
    const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS }, (req, res) =>
      this.handle(req, res),
    );
    server.maxConnections = this.options.maxConnections;
    server.keepAliveTimeout = 1;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.startedAt = this.clock.monotonic();
    this.phase = 'running';
    this.tick();
    this.logger.info('admin endpoint listening', { url: this.url() });
  }

  /** Answers /health 503 from now on, then closes the server and every connection. */
  async stop(): Promise<void> {
    this.phase = this.server === undefined ? 'stopped' : 'stopping';
    this.ticker?.cancel();
    this.ticker = undefined;
    const server = this.server;
    if (server === undefined) return;
    this.events.closeAll();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.server = undefined;
    this.phase = 'stopped';
  }

  /** The /health body: `ok` only while started and the engine answers stats(). */
  health(): { node: string; status: string; uptime: number } {
    const uptime = this.phase === 'running' ? (this.clock.monotonic() - this.startedAt) / 1000 : 0;
    let status: string = this.phase === 'running' ? 'ok' : this.phase;
    if (status === 'ok') {
      try {
        this.sources.engine.stats();
      } catch {
        status = 'engine not open';
      }
    }
    return { node: this.sources.nodeId, status, uptime };
  }

  /** One dashboard period: a snapshot, sent to every /events client; re-armed until stop(). */
  private tick(): void {
    if (this.phase !== 'running') return;
    try {
      this.events.broadcast(JSON.stringify(this.dashboard.tick()));
    } catch (err) {
      this.logger.warn('dashboard update failed', { error: (err as Error).message });
    }
    this.ticker = this.clock.setTimer(UPDATE_PERIOD_MS, () => this.tick());
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    void this.route(req, path, res)
      .catch((err: unknown) => {
        this.logger.warn('admin request failed', { path, error: (err as Error).message });
        return this.reply(res, 500, 'text/plain', 'internal error\n');
      })
      .then((code) => this.metrics.countRequest(path, code));
  }

  private async route(req: IncomingMessage, path: string, res: ServerResponse): Promise<number> {
    if (!this.authorized(req, path)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return this.reply(res, 401, 'text/plain', 'unauthorized\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return this.reply(res, 405, 'text/plain', 'method not allowed\n');
    }
    const length = req.headers['content-length'];
    if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) {
      return this.reply(res, 413, 'text/plain', 'request bodies are not accepted\n');
    }
    if (path === '/health') {
      const h = this.health();
      return this.reply(res, h.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(h));
    }
    if (path === '/status') {
      const h = this.health();
      const body = { ...h, ...snapshotNode(this.sources), dashboard: this.dashboard.latest(), events: this.events.stats() };
      return this.reply(res, 200, 'application/json', JSON.stringify(body));
    }
    if (path === '/') return this.reply(res, 200, 'text/html; charset=utf-8', DASHBOARD_HTML);
    if (path === '/events') {
      if (req.method === 'HEAD') return this.reply(res, 200, 'text/event-stream', '');
      const latest = this.dashboard.latest();
      if (this.events.accept(res, latest === undefined ? undefined : JSON.stringify(latest))) return 200;
      res.setHeader('Retry-After', '5');
      return this.reply(res, 503, 'text/plain', `too many event streams (maxEventClients ${this.options.maxEventClients})\n`);
    }
    if (path === '/metrics') {
      const text = await this.metrics.render(snapshotNode(this.sources), this.health().status === 'ok', this.events.stats());
      return this.reply(res, 200, this.metrics.contentType, text);
    }
    return this.reply(res, 404, 'text/plain', 'not found\n');
  }

  private authorized(req: IncomingMessage, path: string): boolean {
    if (this.tokenDigest === undefined) return true;
    const h = req.headers.authorization;
    if (h !== undefined && h.startsWith('Bearer ')) return timingSafeEqual(digest(h.slice(7)), this.tokenDigest);
    if (!QUERY_TOKEN_PATHS.has(path)) return false;
    const token = new URL(req.url ?? '/', 'http://admin').searchParams.get('token');
    return token !== null && timingSafeEqual(digest(token), this.tokenDigest);
  }

  private reply(res: ServerResponse, code: number, type: string, body: string): number {
    res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(res.req.method === 'HEAD' ? undefined : body);
    return code;
  }
}
