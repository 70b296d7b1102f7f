import type { Clock, Coordinator } from '@dynamis/core';
import type { OpKind, OpMeter } from './OpMeter';

const METERED: ReadonlySet<PropertyKey> = new Set<OpKind>(['put', 'get', 'delete', 'batch']);

/**
 * The Coordinator as the node's Store sees it once the admin plugin is
 * composed (bound by its onActivation hook): `put`, `get`, `delete` and
 * `batch` are timed with `clock.monotonic()` from the call to the settling
 * of their promise and recorded in `meter` (ok or failed, the result or
 * error passed through unchanged); every other member (start, stop, stats,
 * methods later versions of the port add) is the target's own, bound to it.
 * Operations a coordinator serves for another node (forwarded requests) do
 * not pass through here: each client operation is counted once, on the node
 * the client asked. Cost: two clock reads and one closure per operation.
 */
export function meterCoordinator<C extends Coordinator>(target: C, meter: OpMeter, clock: Clock): C {
  const bound = new Map<PropertyKey, unknown>();
  const metered = (kind: OpKind, fn: (...args: unknown[]) => Promise<unknown>) =>
    function (...args: unknown[]): Promise<unknown> {
      const started = clock.monotonic();
      let work: Promise<unknown>;
      try {
        work = fn.apply(target, args);
      } catch (err) {
        meter.record(kind, clock.monotonic() - started, false);
        throw err;
      }
      return work.then(
        (result) => {
          meter.record(kind, clock.monotonic() - started, true);
          return result;
        },
        (err: unknown) => {
          meter.record(kind, clock.monotonic() - started, false);
          throw err;
        },
      );
    };
  return new Proxy(target, {
    get(t, prop) {
      const cached = bound.get(prop);
      if (cached !== undefined) return cached;
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      const wrapped = METERED.has(prop) ? metered(prop as OpKind, fn) : fn.bind(t);
      bound.set(prop, wrapped);
      return wrapped;
    },
  });
}
