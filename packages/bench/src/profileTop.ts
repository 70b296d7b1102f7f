// Prints the top frames by self time of a V8 CPU profile (node --cpu-prof):
//   node packages/bench/dist/profileTop.js <file.cpuprofile> [count=15]
// as a Markdown table, then the self time by owner (package, node internals, GC).
import { readFileSync } from 'node:fs';
import type { CpuProfile } from './cpuProfile';
import { profileTable } from './profileTable';

const [file, count] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node profileTop.js <file.cpuprofile> [count]\n');
  process.exit(2);
}
process.stdout.write(`${profileTable(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(count ?? 15)).join('\n')}\n`);
