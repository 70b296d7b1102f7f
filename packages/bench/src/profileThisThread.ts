import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Session } from 'node:inspector/promises';

/**
 * Runs `fn` with V8's CPU profiler sampling this thread (the same profile
 * `node --cpu-prof` writes: a .cpuprofile), writes the profile to `file`
 * (creating its directory) once `fn` settled, and resolves or rejects like `fn`. One at a time: V8
 * keeps one profiler per thread.
 */
export async function profileThisThread<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    try {
      return await fn();
    } finally {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
    }
  } finally {
    session.disconnect();
  }
}
