import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * A send function for `ws`. Plain: one `ws.send` (one socket write) per
 * message. Corked: the first send of a tick corks the socket and a
 * `process.nextTick` uncorks it, so the tick's messages leave in one
 * `writev`, as WsTransport does (see packages/transport-ws/BENCHMARKS.md).
 */
export function wsSender(ws: WebSocket, cork: boolean): (data: Buffer) => void {
  if (!cork) return (data) => ws.send(data);
  const socket = (ws as unknown as { _socket: Socket })._socket;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  return (data) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    ws.send(data);
  };
}
