import { WebSocket } from 'ws';
import { drive, type CaseResult, type DriveOptions } from './drive';
import { spawnReady, type BenchChild } from './processes';
import { wsSender } from './wsSender';

/** Echo server processes (echoPeer.js), each on its own port. */
export interface EchoPeers {
  readonly ports: readonly number[];
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

/** Starts `count` echo processes (`node dist/echoPeer.js`), resolving once each prints its port. */
export async function startEchoPeers(count: number): Promise<EchoPeers> {
  const started = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      spawnReady(`echo peer ${i + 1}`, process.execPath, [require.resolve('./echoPeer')], /echo listening on (\d+)/),
    ),
  );
  const procs: BenchChild[] = started.map((s) => s.proc);
  return {
    ports: started.map((s) => Number(s.match[1])),
    pids: procs.map((p) => p.child.pid!),
    stop: async () => void (await Promise.all(procs.map((p) => p.stop()))),
  };
}

/** A pending operation: resolves once `quorum` peers echoed it. */
interface Pending {
  replies: number;
  readonly resolve: () => void;
}

/**
 * The transport's fan-out ceiling, with bare `ws` and no Dynamis code: each
 * operation sends one `bytes`-byte binary message (a 4-byte operation id,
 * then filler) to every peer in `ports` over one connection each, and
 * completes when `quorum` of them echoed it; the later echoes are read and
 * dropped. With one peer and quorum 1 it is the plain round trip. `cork`:
 * both sides cork per tick (wsSender). Driven by `drive` (closed loops).
 */
export async function fanout(
  ports: readonly number[],
  quorum: number,
  bytes: number,
  cork: boolean,
  options: DriveOptions,
): Promise<CaseResult> {
  const path = cork ? '/cork' : '/plain';
  const sockets = await Promise.all(ports.map((port) => open(`ws://127.0.0.1:${port}${path}`)));
  const sends = sockets.map((ws) => wsSender(ws, cork));
  const pending = new Map<number, Pending>();
  const peers = ports.length;
  const onReply = (data: Buffer): void => {
    const id = data.readUInt32LE(0);
    const p = pending.get(id);
    if (p === undefined) return;
    p.replies++;
    if (p.replies === quorum) p.resolve();
    if (p.replies === peers) pending.delete(id);
  };
  for (const ws of sockets) ws.on('message', onReply);
  const filler = Buffer.alloc(bytes, 0x5a);
  try {
    return await drive(
      (seq) =>
        new Promise<void>((resolve) => {
          const id = seq >>> 0;
          const msg = Buffer.allocUnsafe(bytes);
          filler.copy(msg);
          msg.writeUInt32LE(id, 0);
          pending.set(id, { replies: 0, resolve });
          for (const send of sends) send(msg);
        }),
      options,
    );
  } finally {
    for (const ws of sockets) ws.terminate();
    pending.clear();
  }
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
