import { describe, expect, it } from '@jest/globals';
import { swapStrategies } from './swapStrategies';

/** SWAP_OPS=3000 npx jest examples/swap-strategies for a bigger run (the default is small, for the suite). */
const OPS = Number(process.env['SWAP_OPS'] ?? 400);

describe('swap strategies: one workload under two strategy sets', () => {
  it('prints both comparisons; vector clocks keep concurrent writes as siblings where LWW loses one; leveled writes more than tiered and keeps less', async () => {
    const report = await swapStrategies({ seed: 42, ops: OPS });
    process.stdout.write(`\n${report.text}\n\n`);
    const rounds = Math.floor(OPS / 5);
    const [lww, vclock] = report.conflicts;
    expect(lww).toMatchObject({
      strategy: 'lww',
      readsWithSiblings: 0,
      maxSiblings: 1,
      lostWrites: rounds,
      acknowledgedWrites: 2 * rounds,
    });
    expect(vclock).toMatchObject({
      strategy: 'vclock',
      readsWithSiblings: rounds,
      maxSiblings: 2,
      lostWrites: 0,
      acknowledgedWrites: 3 * rounds,
    });
    const [leveled, tiered] = report.compaction;
    expect(leveled!.strategy).toBe('leveled');
    expect(tiered!.strategy).toBe('tiered');
    expect(leveled!.userBytes).toBe(tiered!.userBytes);
    expect(leveled!.compactions).toBeGreaterThan(0);
    expect(leveled!.writeAmplification).toBeGreaterThan(tiered!.writeAmplification);
    expect(leveled!.spaceAmplification).toBeLessThan(tiered!.spaceAmplification);
    const lines = report.text.split('\n');
    expect(lines).toContain(`| lww | ${4 * rounds} | ${2 * rounds} | 0 | 1 | ${rounds} |`);
    expect(lines).toContain(`| vclock | ${5 * rounds} | ${3 * rounds} | ${rounds} | 2 | 0 |`);
    expect(lines.filter((l) => /^\| (leveled|tiered) \| \d+ \| \d+ \| \d+\.\d\d \| \d+\.\d\d \| \d+ \|$/.test(l))).toHaveLength(2);
  }, 120_000);

  it('is deterministic where it promises to be: the same seed gives the same conflict rows', async () => {
    const [a, b] = [await swapStrategies({ seed: 9, ops: 50 }), await swapStrategies({ seed: 9, ops: 50 })];
    expect(a.conflicts).toEqual(b.conflicts);
  }, 120_000);
});
