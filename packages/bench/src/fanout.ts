import { WebSocket } from 'ws';
import { drive, type CaseResult, type DriveOptions } from './drive';
import { ECHO_HEADER_BYTES, echoRequest } from './echoReply';
import { random } from './env';
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
 * Message sizes of a fan-out that carries a YCSB workload's bytes instead of
 * `bytes` both ways: an operation is a read with probability
 * `readProportion`. An update sends `recordBytes` to every peer, each
 * answering `smallBytes` (an acknowledgement); a read sends `smallBytes` to
 * every peer, one of them (in turn) answering `recordBytes` (the record)
 * and the others `smallBytes` (digests). An update is the cluster's update
 * exactly (the record to the coordinator and to 2 replicas, 3 small acks);
 * a read has 2 small messages more than the cluster's (a small request to
 * the coordinator and one to a replica, a digest back, the record to the
 * client: the coordinator reads its own copy).
 */
export interface FanoutShape {
  readonly readProportion: number;
  readonly recordBytes: number;
  readonly smallBytes: number;
}

/**
 * The transport's fan-out ceiling, with bare `ws` and no Dynamis code: each
 * operation sends one binary message (an 8-byte header: the operation id
 * and the reply length it asks for; then filler) to every peer in `ports`
 * over one connection each, and completes when `quorum` of them answered;
 * the later answers are read and dropped. Without `shape`, every message
 * and answer has `bytes` bytes (with one peer and quorum 1 it is the plain
 * round trip); with it, their sizes follow FanoutShape. `cork`: both sides
 * cork per tick (wsSender). Driven by `drive` (closed loops).
 */
export async function fanout(
  ports: readonly number[],
  quorum: number,
  bytes: number,
  cork: boolean,
  options: DriveOptions,
  shape?: FanoutShape,
): Promise<CaseResult> {
  if (bytes < ECHO_HEADER_BYTES || (shape !== undefined && Math.min(shape.recordBytes, shape.smallBytes) < ECHO_HEADER_BYTES))
    throw new RangeError(`fan-out messages need at least ${ECHO_HEADER_BYTES} bytes`);
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
  try {
    return await drive(
      (seq) =>
        new Promise<void>((resolve) => {
          const id = seq >>> 0;
          pending.set(id, { replies: 0, resolve });
          if (shape === undefined) {
            const msg = echoRequest(id, bytes, bytes);
            for (const send of sends) send(msg);
          } else if (random.next() < shape.readProportion) {
            const full = seq % peers;
            const digest = echoRequest(id, shape.smallBytes, shape.smallBytes);
            for (let i = 0; i < peers; i++) sends[i]!(i === full ? echoRequest(id, shape.smallBytes, shape.recordBytes) : digest);
          } else {
            const msg = echoRequest(id, shape.recordBytes, shape.smallBytes);
            for (const send of sends) send(msg);
          }
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
