import type { Random } from '@dynamis/core';

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential from
 * `initialMs`, capped at `maxMs`, then jittered to 50–100% of that
 * ("equal jitter"), so peers that lost each other at once do not redial in
 * lockstep while none waits less than half the nominal delay.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: Random): number {
  const nominal = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(nominal * (0.5 + random.next() * 0.5));
}
