// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top frames by
// self time with their share of all samples, and a roll-up by file/package.
//
//   node dist/bench/bench/profileTop.js <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: profileTop <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const byPlace = new Map<string, number>();
let total = 0;
for (const id of profile.samples) {
  const n = byId.get(id)!;
  const f = n.callFrame;
  if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
  total++;
  const where = f.url.replace(/^.*node_modules\//, '').replace(/^.*\/packages\//, '') || '(native)';
  const name = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`;
  self.set(name, (self.get(name) ?? 0) + 1);
  const place = f.url === '' ? f.functionName : (/node_modules\/([^/]+)/.exec(f.url)?.[1] ?? where.replace(/:\d+$/, ''));
  byPlace.set(place, (byPlace.get(place) ?? 0) + 1);
}
const pct = (k: number): string => `${((100 * k) / total).toFixed(1).padStart(5)}%`;
console.log(`${total} busy samples (idle and (program) excluded)\n\ntop frames by self time:`);
for (const [name, k] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(k)}  ${name}`);
console.log('\nby file or package:');
for (const [place, k] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(k)}  ${place}`);
