import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Operations a loop runs before it yields to the event loop once (a target answering from memory never would). */
const YIELD_EVERY = 64;

/**
 * Runs `step(0)` … `step(total − 1)` with at most `concurrency` in flight
 * (closed loops: each starts its next step when the last settled), in
 * index order of start. `step` must not reject (it records its own
 * failures). Each loop yields to the event loop every YIELD_EVERY steps so
 * timers (a progress line) run even against a target that answers
 * synchronously. Resolves when every step settled.
 */
export async function runLoops(total: number, concurrency: number, step: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async (): Promise<void> => {
    let sinceYield = 0;
    while (next < total) {
      await step(next++);
      if (++sinceYield === YIELD_EVERY) {
        sinceYield = 0;
        await yieldToLoop();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, loop));
}
