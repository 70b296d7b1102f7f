// A bare `ws` echo server, run as its own process by the bench (no Dynamis
// code): listens on 127.0.0.1, any free port, prints `echo listening on <port>`,
// and answers every binary message on the connection it came from: with the
// message itself, or with as many of its bytes as its header asks for
// (echoReply). A connection to path /cork is answered with corked writes (one
// writev per tick), any other path with one ws.send per message. Exits on
// SIGTERM/SIGINT.
import { WebSocketServer } from 'ws';
import { echoReply } from './echoReply';
import { wsSender } from './wsSender';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 1024 * 1024 });
server.on('connection', (ws, request) => {
  const send = wsSender(ws, request.url === '/cork');
  ws.on('message', (data: Buffer) => send(echoReply(data)));
});
server.once('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`echo listening on ${port}\n`);
});
const stop = (): void => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
