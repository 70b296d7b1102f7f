// @dynamis/admin: an HTTP admin endpoint per node (/health, /status, Prometheus /metrics, the dashboard / and /events).
export { admin, AdminServiceToken } from './plugin';
export { AdminService } from './AdminService';
export { AdminMetrics, MAX_STAT_SAMPLES, MAX_STAT_GAUGES } from './AdminMetrics';
export { adminOptionsSchema, resolveAdminOptions, isLoopback, type AdminOptionsInput, type AdminOptions } from './options';
export { flattenStats, metricName, type StatSample } from './flattenStats';
export type { AdminSources, NodeSnapshot } from './NodeView';
export { OpMeterToken } from './plugin';
export { OpMeter, OP_KINDS, type OpKind, type OpWindow } from './OpMeter';
export { meterCoordinator } from './meterCoordinator';
export { Dashboard, HISTORY_POINTS, type DashboardSnapshot, type DashboardMember, type OpPoint } from './Dashboard';
export {
  readPanels,
  ringOf,
  type MemberRow,
  type RingView,
  type HintsView,
  type AntiEntropyView,
  type DashboardSources,
} from './dashboardView';
export { EventStream, MAX_UNSENT_BYTES, type EventStreamStats } from './EventStream';
export { UPDATE_PERIOD_MS } from './AdminService';
export { DASHBOARD_HTML } from './dashboardPage';
