import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { EventStreamStats } from './EventStream';
import { flattenStats } from './flattenStats';
import type { NodeSnapshot } from './NodeView';

/** Most stat-derived samples in one scrape (label values come from peers and hint targets). */
export const MAX_STAT_SAMPLES = 5000;

/** Most distinct stat gauge names; a name beyond it is skipped and the scrape counted as truncated. */
export const MAX_STAT_GAUGES = 1000;

/** The paths counted in dynamis_admin_requests_total; any other is counted as `other`. */
const KNOWN_PATHS = new Set(['/', '/events', '/health', '/metrics', '/status']);

/**
 * The node's Prometheus registry: private to this instance (never prom-client's
 * global `register`), so two nodes in one process do not mix. Process metrics
 * (collectDefaultMetrics) plus, refreshed on every scrape from a NodeSnapshot,
 * `dynamis_<source>_<field>` gauges mirroring each port's stats() (see
 * flattenStats), `dynamis_members{status}`, `dynamis_up` and the admin's own counters.
 */
export class AdminMetrics {
  readonly registry = new Registry();
  private readonly gauges = new Map<string, Gauge<'key'>>();
  private readonly members: Gauge<'status'>;
  private readonly up: Gauge;
  private readonly requests: Counter<'path' | 'code'>;
  private readonly truncated: Counter;
  private readonly statErrors: Gauge<'source'>;
  private readonly streams: Gauge<'outcome'>;

  constructor(nodeId: string) {
    this.registry.setDefaultLabels({ node: nodeId });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.members = new Gauge({ name: 'dynamis_members', help: 'Members of this node view by status', labelNames: ['status'], registers });
    this.up = new Gauge({ name: 'dynamis_up', help: '1 while the node is started and its engine open, else 0', registers });
    this.requests = new Counter({
      name: 'dynamis_admin_requests_total',
      help: 'Admin HTTP requests by path and status code',
      labelNames: ['path', 'code'],
      registers,
    });
    this.truncated = new Counter({
      name: 'dynamis_admin_truncated_scrapes_total',
      help: `Scrape sources whose stat samples were cut (over ${MAX_STAT_SAMPLES} samples or ${MAX_STAT_GAUGES} names)`,
      registers,
    });
    this.statErrors = new Gauge({
      name: 'dynamis_stats_errors',
      help: '1 for a source whose stats() threw at the last scrape',
      labelNames: ['source'],
      registers,
    });
    this.streams = new Gauge({
      name: 'dynamis_admin_event_streams',
      help: 'Dashboard /events streams: open now, and refused (cap) or dropped (slow reader) since start',
      labelNames: ['outcome'],
      registers,
    });
  }

  /** Counts one answered request; unknown paths are counted as `other` so the label set stays bounded. */
  countRequest(path: string, code: number): void {
    this.requests.inc({ path: KNOWN_PATHS.has(path) ? path : 'other', code: String(code) });
  }

  /** Refreshes the stat gauges from `snap` (and the /events counters) and renders the Prometheus text exposition (0.0.4). */
  async render(snap: NodeSnapshot, up: boolean, events?: EventStreamStats): Promise<string> {
    if (events !== undefined) {
      this.streams.set({ outcome: 'open' }, events.clients);
      this.streams.set({ outcome: 'refused' }, events.refused);
      this.streams.set({ outcome: 'dropped' }, events.dropped);
    }
    for (const g of this.gauges.values()) g.reset();
    let budget = MAX_STAT_SAMPLES;
    for (const [source, stats] of Object.entries(snap.stats)) {
      const { samples, truncated } = flattenStats(`dynamis_${source}`, stats, budget);
      budget -= samples.length;
      let cut = truncated;
      for (const s of samples) {
        const g = this.gauge(s.name, source);
        if (g === undefined) {
          cut = true;
          continue;
        }
        if (s.key === undefined) g.set(s.value);
        else g.set({ key: s.key }, s.value);
      }
      if (cut) this.truncated.inc();
    }
    this.members.reset();
    for (const [status, n] of Object.entries(snap.members ?? {})) this.members.set({ status }, n);
    this.statErrors.reset();
    for (const source of Object.keys(snap.errors)) this.statErrors.set({ source }, 1);
    this.up.set(up ? 1 : 0);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private gauge(name: string, source: string): Gauge<'key'> | undefined {
    let g = this.gauges.get(name);
    if (g === undefined) {
      if (this.gauges.size >= MAX_STAT_GAUGES) return undefined;
      g = new Gauge({ name, help: `${source} stats() field, read at scrape time`, labelNames: ['key'], registers: [this.registry] });
      this.gauges.set(name, g);
    }
    return g;
  }
}
