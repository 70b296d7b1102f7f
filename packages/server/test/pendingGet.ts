// Child process for clientExit.int.spec.ts: a plain script that awaits
// `client.get()` and never calls process.exit, so only what the client holds
// can keep it alive while the request is pending.
//   node -r @swc-node/register pendingGet.ts <address>   (token in env DYNAMIS_CLIENT_TOKEN)
// Connects, prints `connected`, waits for one line on stdin (sent once the
// node is down), closes stdin, then gets a key with retries: prints
// `got <found>` and exits 0, or prints `error CODE: message` and exits 1.
import { DynamisClient } from '@dynamis/client';
import { isDynamisError } from '@dynamis/core';
import { writeSync } from 'node:fs';

async function main(): Promise<void> {
  const client = await DynamisClient.connect({
    nodes: [process.argv[2]!],
    token: process.env.DYNAMIS_CLIENT_TOKEN!,
    retries: 3,
    backoff: { initialMs: 200, maxMs: 400 },
  });
  writeSync(1, 'connected\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.destroy();
  const r = await client.get('k');
  writeSync(1, `got ${r.found}\n`);
  await client.close();
}

main().catch((err: unknown) => {
  const code = isDynamisError(err) ? err.code : 'ERROR';
  writeSync(2, `error ${code}: ${(err as Error).message}\n`);
  if (isDynamisError(err)) writeSync(2, `attempts ${(err.details.attempts as unknown[] | undefined)?.length ?? 0}\n`);
  process.exitCode = 1;
});
