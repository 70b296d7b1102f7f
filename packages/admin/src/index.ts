// @dynamis/admin: an HTTP admin endpoint per node (/health, /status, Prometheus /metrics).
export { admin, AdminServiceToken } from './plugin';
export { AdminService } from './AdminService';
export { AdminMetrics, MAX_STAT_SAMPLES, MAX_STAT_GAUGES } from './AdminMetrics';
export { adminOptionsSchema, resolveAdminOptions, isLoopback, type AdminOptionsInput, type AdminOptions } from './options';
export { flattenStats, metricName, type StatSample } from './flattenStats';
export type { AdminSources, NodeSnapshot } from './NodeView';
