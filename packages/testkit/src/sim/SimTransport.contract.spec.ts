import { transportContract } from '../contracts/transport';
import { SIM_STREAM_CREDIT } from './SimTransport';
import { Simulation } from './Simulation';

// The simulated network on its defaults (1–5 ms, FIFO, no loss), driven on
// virtual time: `advance` runs the scheduler.
transportContract(
  'SimTransport',
  (nodes) => {
    const sim = new Simulation({ seed: 7, nodes });
    return {
      transport: (node) => sim.transport(node),
      async start() {
        for (const node of nodes) await sim.transport(node).start();
        for (const node of nodes) {
          for (const peer of nodes) {
            const address = sim.transport(peer).address();
            if (peer !== node && address !== undefined) sim.transport(node).setPeerAddress(peer, address);
          }
        }
      },
      advance: (ms) => sim.runFor(ms),
      async close() {
        for (const node of nodes) await sim.transport(node).stop();
      },
    };
  },
  { streamReadAhead: SIM_STREAM_CREDIT },
);
