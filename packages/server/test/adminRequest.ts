import { wsConnector } from '@dynamis/client';
import { ConsoleLogger, SystemClock } from '@dynamis/core';
import { CLIENT_TOKEN } from './serverProcess';

/** One admin request to the node at `address` (core's admin protocol, as the `dynamis` CLI sends it): the reply envelope. */
export async function adminRequest(address: string, type: string, payload: unknown = {}): Promise<{ type: string; payload: unknown }> {
  const connect = wsConnector(
    { clientId: 'default', token: CLIENT_TOKEN, maxPayloadBytes: 4 << 20, handshakeTimeoutMs: 10_000, heartbeatIntervalMs: 5_000 },
    new SystemClock(),
    new ConsoleLogger('silent'),
  );
  const link = await connect(address);
  try {
    return await link.request({ type, payload }, 10_000);
  } finally {
    await link.close();
  }
}
