import { z } from 'zod';
import { ID_PATTERN } from './auth/handshake';
import { tlsOptionsSchema } from './tls/tlsOptions';

const MiB = 1024 * 1024;

/**
 * Options of WsTransport and of the wsTransport() plugin. Every option but
 * `secret` has a default; `describe()` texts are the reference (README lists
 * them). Secrets and tokens are never logged or echoed in errors.
 */
export const wsTransportOptionsSchema = z
  .object({
    host: z
      .string()
      .min(1)
      .optional()
      .describe('Address to bind. Default: Config.listen.host in the plugin, 127.0.0.1 when constructed directly.'),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe('Port to bind, 0 = any free port. Default: Config.listen.port in the plugin, 0 when constructed directly.'),
    secret: z
      .string()
      .min(16, 'must be at least 16 characters')
      .describe('Shared cluster secret for node-to-node HMAC authentication. Required.'),
    clientTokens: z
      .record(
        z.string().regex(ID_PATTERN, 'client ids are 1–64 characters of [A-Za-z0-9._-]'),
        z.string().min(16, 'tokens must be at least 16 characters'),
      )
      .default({})
      .describe(
        'Client id → token. Clients authenticate with HMAC(token); their messages reach the handler from `client:<id>`. Default: no clients.',
      ),
    clientTypePrefix: z
      .string()
      .default('client.')
      .describe("Message types a client may send must start with this prefix; others get UNAUTHORIZED. '' allows every type."),
    maxPayloadBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(256 * MiB)
      .default(4 * MiB)
      .describe('Largest WebSocket message accepted; a bigger one closes the connection with 1009. Larger stream chunks are split.'),
    handshakeTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe('A connection not authenticated this long after it opened is dropped.'),
    idleTimeoutMs: z
      .number()
      .int()
      .nonnegative()
      .default(300_000)
      .describe('A connection with no application frame and nothing in flight for this long is closed (1000); 0 = never.'),
    heartbeatIntervalMs: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe(
        'Ping period; a peer that misses a pong for one whole period is dead: its connection closes and its requests fail UNAVAILABLE.',
      ),
    maxConnections: z
      .number()
      .int()
      .positive()
      .default(1024)
      .describe(
        'Most inbound TCP connections at once (handshaking or open). A new one evicts the oldest pending handshake when all are taken; when every one is authenticated, it is refused.',
      ),
    maxPendingHandshakes: z
      .number()
      .int()
      .positive()
      .default(128)
      .describe(
        'Most inbound connections not yet authenticated at once (capped at maxConnections); a new one beyond it evicts the oldest pending handshake.',
      ),
    maxPendingHandshakesPerAddress: z
      .number()
      .int()
      .positive()
      .default(16)
      .describe('Most pending handshakes from one remote IP address; a new one beyond it evicts that address’s oldest.'),
    reservedPeerConnections: z
      .number()
      .int()
      .nonnegative()
      .default(64)
      .describe(
        'Connection slots that authenticated clients may not take, kept for cluster peers (capped at half of maxConnections). A client beyond the rest is closed with 1013.',
      ),
    maxRequestsInFlight: z
      .number()
      .int()
      .positive()
      .default(128)
      .describe(
        'Per connection: most inbound requests, streams and one-way messages being handled at once; more requests are refused UNAVAILABLE (overloaded), more one-way messages dropped.',
      ),
    maxRequestBytesInFlight: z
      .number()
      .int()
      .positive()
      .default(16 * MiB)
      .describe(
        'Per connection: most bytes of inbound request frames being handled at once (one request always may run); more are refused UNAVAILABLE (overloaded).',
      ),
    maxNodeRequestBytesInFlight: z
      .number()
      .int()
      .positive()
      .default(256 * MiB)
      .describe(
        'Whole node: most bytes of inbound request frames being handled at once, over every connection; more are refused UNAVAILABLE.',
      ),
    maxNodeQueuedBytes: z
      .number()
      .int()
      .positive()
      .default(256 * MiB)
      .describe(
        'Whole node: most bytes waiting in the send queues of every connection (replies to slow readers); a reply that does not fit drops its connection (the peer is not reading), a request fails UNAVAILABLE.',
      ),
    reconnect: z
      .object({
        initialMs: z.number().int().positive().default(100).describe('First reconnect delay after a lost connection.'),
        maxMs: z.number().int().positive().default(10_000).describe('Cap of the exponential reconnect delay (jittered to 50–100%).'),
      })
      .prefault({})
      .describe('Reconnect backoff towards peers with a known address.'),
    highWaterMarkBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(1 * MiB)
      .describe('Socket buffered bytes above which sends are queued and streams pause.'),
    maxQueuedBytes: z
      .number()
      .int()
      .positive()
      .default(16 * MiB)
      .describe('Most bytes queued per peer (over the high-water mark or while connecting); beyond it requests fail UNAVAILABLE.'),
    tls: tlsOptionsSchema
      .optional()
      .describe(
        'Serve wss:// and dial peers over TLS with these PEM files (README "TLS"); mutual TLS makes nodes prove themselves with a certificate as well as the secret. Default: plain ws (loopback only; a warning otherwise, see @dynamis/server).',
      ),
    streamChunkCredit: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(16)
      .describe('Chunks a stream receiver lets the sender have in flight (credit-based flow control).'),
  })
  .strict();

/** Options as written by a user. */
export type WsTransportOptionsInput = z.input<typeof wsTransportOptionsSchema>;
/** Options with every default filled in. */
export type WsTransportOptions = z.output<typeof wsTransportOptionsSchema>;
