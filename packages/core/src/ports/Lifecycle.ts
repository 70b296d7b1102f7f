/**
 * A service with a lifecycle. The kernel calls `start()` on every service a
 * plugin provides, in dependency order, and `stop()` in reverse order, each
 * under a timeout. `stop()` must release every socket, timer and file handle
 * the service holds, and must be safe to call after a failed `start()`.
 */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function isLifecycle(value: unknown): value is Lifecycle {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Lifecycle).start === 'function' &&
    typeof (value as Lifecycle).stop === 'function'
  );
}
