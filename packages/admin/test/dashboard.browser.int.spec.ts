import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamisClient } from '@dynamis/client';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../../server/test/clusterHarness';
import { CLIENT_TOKEN, startServerProcess, tempDir, type ServerProcess } from '../../server/test/serverProcess';

/** Debian's chromium, which .ci/run installs with apt-get when it is missing. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACT = join(__dirname, '..', '..', '..', 'artifacts', 'dashboard.png');
const IDS = ['n1', 'n2', 'n3'];
const VICTIM = 'n3';
/** Deadline of each wait: generous, three node processes and a browser share a loaded box. */
const WAIT_MS = 90_000;

/** Polls `cond` every 100 ms until it returns something other than undefined/false; fails naming `what` at the deadline. */
async function waitFor<T>(what: string, cond: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const v = await cond();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The text of the element with `data-testid` `id`, or undefined while it is not on the page. */
async function testText(page: Page, id: string): Promise<string | undefined> {
  const el = await page.$(`[data-testid="${id}"]`);
  return el === null ? undefined : ((await el.textContent()) ?? undefined);
}

// Three real node processes (gossip, N=2 W=2 R=1 with sloppy quorum and hinted handoff, so that with one node down
// a write for it becomes a hint on the third node; the `npm start` cluster, N=3 on 3 nodes without sloppy quorum,
// never stores a hint: README "Dashboard"), each with its admin endpoint; Debian's chromium, driven by
// playwright-core, watches n1's dashboard while n3 is killed -9 and writes go through n1.
describe('the dashboard in a browser, on a 3-node cluster losing a node', () => {
  const nodes = new Map<string, ServerProcess>();
  const dirs: string[] = [];
  const adminUrls = new Map<string, string>();
  let browser: Browser | undefined;
  let client: DynamisClient | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: this test drives Debian's chromium. Install it (apt-get install -y chromium); .ci/run does.`,
      );
    }
    const ports = await Promise.all(IDS.map(() => freePort()));
    const seeds = IDS.map((id, i) => `${id}@127.0.0.1:${ports[i]}`);
    const started = await Promise.all(
      IDS.map((id, i) => {
        const dir = tempDir();
        dirs.push(dir);
        return startServerProcess(
          {
            nodeId: id,
            listen: { host: '127.0.0.1', port: ports[i] },
            coordinator: 'quorum',
            engine: 'lsm',
            seeds,
            membership: 'gossip',
            membershipOptions: { probeIntervalMs: 450, probeTimeoutMs: 150, minTransitionMs: 300 },
            replication: { n: 2, w: 2, r: 1, sloppyQuorum: true },
            hintedHandoff: true,
            antiEntropy: true,
            ring: { partitions: 64 },
            admin: { listen: '127.0.0.1:0' },
            timeouts: { requestMs: 3000 },
            log: { level: 'error' },
            shutdownLingerMs: 0,
          },
          [],
          dir,
          120_000,
        );
      }),
    );
    started.forEach((p, i) => nodes.set(IDS[i]!, p));
    for (const [id, p] of nodes) {
      const url = await waitFor(`${id}'s admin URL`, async () => /admin on (http:\/\/\S+)/.exec(p.stdout())?.[1]);
      adminUrls.set(id, url);
    }
    client = await DynamisClient.connect({ nodes: [nodes.get('n1')!.address], token: CLIENT_TOKEN, timeoutMs: 8000, retries: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await client?.close().catch(() => undefined);
    for (const p of nodes.values()) await p.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('shows three members up, then the killed one down with its pending hints growing, and saves a screenshot', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(adminUrls.get('n1')!);
    expect(await page.title()).toBe('Dynamis dashboard');

    await waitFor('three members up on the page', async () => (await testText(page, 'members-up')) === '3/3');
    for (const id of IDS) expect(await testText(page, `member-${id}-state`)).toBe('up');
    expect(await testText(page, 'node-id')).toBe('n1');
    expect(await page.$$('[data-testid="ring"] path')).toHaveLength(64);

    const victim = nodes.get(VICTIM)!;
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');

    // Writes through n1 for as long as the test watches; those for n3 are held as hints (on n1 for the keys whose
    // replicas are n2 and n3). A write may fail while n3 is not yet known down: the loop goes on.
    let writing = true;
    let acked = 0;
    const load = (async () => {
      for (let i = 0; writing; i++) {
        await client!.put(`key-${i}`, Buffer.from(`value-${i}`)).then(
          () => acked++,
          () => undefined,
        );
      }
    })();
    try {
      await waitFor('n3 marked down', async () => (await testText(page, `member-${VICTIM}-state`)) === 'down');
      expect(await testText(page, 'members-up')).toBe('2/3');
      const first = await waitFor('pending hints for n3', async () => {
        const n = Number(await testText(page, `hints-${VICTIM}-pending`));
        return n > 0 ? n : undefined;
      });
      const grown = await waitFor('pending hints for n3 growing', async () => {
        const n = Number(await testText(page, `hints-${VICTIM}-pending`));
        return n > first ? n : undefined;
      });
      expect(grown).toBeGreaterThan(first);
      expect(Number(await testText(page, 'hints-total'))).toBeGreaterThanOrEqual(grown);
      await waitFor('ops/s above 0', async () => Number(await testText(page, 'ops-rate')) > 0);
      expect(acked).toBeGreaterThan(0);
    } finally {
      writing = false;
      await load;
    }
    mkdirSync(join(ARTIFACT, '..'), { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    expect(existsSync(ARTIFACT)).toBe(true);
    expect(errors).toEqual([]);
  }, 300_000);
});
