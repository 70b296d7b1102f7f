import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CpuProfile } from './cpuProfile';
import { profileThisThread } from './profileThisThread';

/** Busy for about `ms` (a named frame for the profile to find). */
function spinForProfile(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

describe('profileThisThread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a .cpuprofile of what ran meanwhile, and passes fn's result through", async () => {
    const file = join(dir, 'not', 'made', 'yet', 'ok.cpuprofile');
    const result = await profileThisThread(file, async () => spinForProfile(200));
    expect(result).toBeGreaterThan(0);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    expect(profile.samples.length).toBeGreaterThan(0);
    expect(profile.nodes.some((n) => n.callFrame.functionName === 'spinForProfile')).toBe(true);
  });

  it('rejects like fn, still writing the profile (and a later profile can start: the first one stopped)', async () => {
    const file = join(dir, 'failed.cpuprofile');
    await expect(
      profileThisThread(file, async () => {
        spinForProfile(20);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('nodes');
    await expect(profileThisThread(join(dir, 'again.cpuprofile'), async () => 1)).resolves.toBe(1);
  });
});
