import { transportContract } from '@dynamis/testkit';
import { WsTransport } from '../src/WsTransport';
import { clock, quietLogger, random, SECRET } from './helpers';

const DEFAULT_CREDIT = 16;

// The Transport port's contract, on real sockets (127.0.0.1, ephemeral ports), default options.
transportContract(
  'WsTransport',
  (nodes) => {
    const transports = new Map(
      nodes.map((id) => [id, new WsTransport(id, { secret: SECRET, host: '127.0.0.1', port: 0 }, clock, random, quietLogger)]),
    );
    return {
      transport: (node) => transports.get(node)!,
      async start() {
        await Promise.all([...transports.values()].map((t) => t.start()));
        for (const t of transports.values()) {
          for (const other of transports.values()) if (other !== t) t.setPeerAddress(other.self, other.address()!);
        }
      },
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      async close() {
        await Promise.all([...transports.values()].map((t) => t.stop()));
      },
    };
  },
  { streamReadAhead: DEFAULT_CREDIT },
);
