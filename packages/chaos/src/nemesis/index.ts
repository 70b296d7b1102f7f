import { DynamisError } from '@dynamis/core';
import { clockSkew } from './clock';
import { killRestart } from './killRestart';
import { linkFaults } from './linkFaults';
import { pick, type Nemesis } from './Nemesis';
import { bridge, halves, isolateOne, ring } from './partitions';
import { pause } from './pause';

export * from './Nemesis';
export { bridge, halves, isolateOne, ring } from './partitions';
export { killRestart } from './killRestart';
export { pause } from './pause';
export { clockSkew, MAX_SKEW_MS } from './clock';
export { linkFaults } from './linkFaults';

/** Every single nemesis by name, as a factory (each run gets fresh ones). */
export const NEMESES: Readonly<Record<string, () => Nemesis>> = {
  'partition-one': isolateOne,
  'partition-halves': halves,
  'partition-bridge': bridge,
  'partition-ring': ring,
  kill: killRestart,
  pause,
  clock: clockSkew,
  links: linkFaults,
};

/** Runs several nemeses at once: `start` starts each, `stop` stops each in reverse order. */
export function composed(parts: readonly Nemesis[]): Nemesis {
  return {
    name: parts.map((p) => p.name).join('+'),
    start: async (ctx) => {
      const done: string[] = [];
      for (const p of parts) done.push(await p.start(ctx));
      return done.join('; ');
    },
    stop: async (ctx) => {
      for (const p of [...parts].reverse()) await p.stop(ctx);
    },
  };
}

/** Each `start` picks one of `parts` at random (it is the one the next `stop` heals). */
export function oneOf(parts: readonly Nemesis[]): Nemesis {
  let current: Nemesis | undefined;
  return {
    name: `oneOf(${parts.map((p) => p.name).join(',')})`,
    start: (ctx) => {
      current = pick(ctx.random, parts);
      return current.start(ctx);
    },
    stop: async (ctx) => {
      const c = current;
      current = undefined;
      if (c !== undefined) await c.stop(ctx);
    },
  };
}

/**
 * The nemesis a name stands for: one of NEMESES; `a+b` (both at once);
 * 'mixed' (each cycle one of every single nemesis); 'none'. Throws
 * INVALID_ARGUMENT for an unknown name.
 */
export function nemesisByName(name: string): Nemesis {
  if (name === 'none') return { name: 'none', start: () => 'nothing', stop: () => undefined };
  if (name === 'mixed') return oneOf(Object.values(NEMESES).map((f) => f()));
  const parts = name.split('+').map((n) => {
    const f = NEMESES[n];
    if (f === undefined)
      throw new DynamisError('INVALID_ARGUMENT', `unknown nemesis '${n}': one of ${[...Object.keys(NEMESES), 'mixed', 'none'].join(', ')}`);
    return f();
  });
  return parts.length === 1 ? parts[0]! : composed(parts);
}
