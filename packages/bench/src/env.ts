import { SystemClock, SystemRandom } from '@dynamis/core';

/** The bench's real clock (its timers are unref'd: the sockets and child pipes keep the process alive while they matter). */
export const clock = new SystemClock();
/** Uniform key and operation choice (Math.random; not seeded). */
export const random = new SystemRandom();
