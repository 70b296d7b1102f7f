import { SystemClock, SystemRandom, type Clock, type Envelope, type InboundHandler, type Logger } from '@dynamis/core';
import { WsTransport } from '../src/WsTransport';
import type { WsTransportOptionsInput } from '../src/options';

export const SECRET = 'test-cluster-secret-0123456789';

/** A logger that records nothing (set DEBUG_WS=1 to print). */
export const quietLogger: Logger = {
  debug: (m, f) => print('debug', m, f),
  info: (m, f) => print('info', m, f),
  warn: (m, f) => print('warn', m, f),
  error: (m, f) => print('error', m, f),
  child: () => quietLogger,
};

function print(level: string, msg: string, fields?: Record<string, unknown>): void {
  if (process.env.DEBUG_WS) console.log(level, msg, fields ?? '');
}

export const clock = new SystemClock();
export const random = new SystemRandom();

/** A started transport on 127.0.0.1, an ephemeral port unless given; its timers run on `timers` (e.g. a VirtualClock). */
export async function startNode(
  id: string,
  options: Partial<WsTransportOptionsInput> = {},
  handler?: InboundHandler,
  timers: Clock = clock,
): Promise<WsTransport> {
  const t = new WsTransport(id, { secret: SECRET, host: '127.0.0.1', port: 0, ...options }, timers, random, quietLogger);
  t.setHandler(handler ?? echo);
  await t.start();
  return t;
}

/** Replies with the request's payload under type `<type>.reply`. */
export const echo: InboundHandler = async (_from, msg) => ({ type: `${msg.type}.reply`, payload: msg.payload });

/** Makes `a` know where `b` listens, and the other way round. */
export function link(a: WsTransport, b: WsTransport): void {
  a.setPeerAddress(b.self, b.address()!);
  b.setPeerAddress(a.self, a.address()!);
}

/** Polls `cond` every `stepMs` until it holds; throws after a generous `timeoutMs` (a deadline, never an assertion on time). */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 30_000, stepMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export function env(type: string, payload: unknown = null): Envelope {
  return { type, payload };
}

/** The sockets of a transport's open connections (test access to internals). */
export function socketsOf(t: WsTransport): import('node:net').Socket[] {
  const conns = (t as unknown as { conns: Set<{ ws: { _socket: import('node:net').Socket } }> }).conns;
  return [...conns].map((c) => c.ws._socket);
}

export function portOf(t: WsTransport): number {
  return Number(new URL(t.address()!).port);
}
