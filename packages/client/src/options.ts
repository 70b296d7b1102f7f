import type { Clock, Logger, Random } from '@dynamis/core';
import { clientTlsOptionsSchema } from '@dynamis/transport-ws';
import { z } from 'zod';
import type { KeepAlive } from './KeepAlive';
import type { Connector } from './Link';
import { nodeAddressProblem } from './nodeAddress';

const MiB = 1024 * 1024;

/**
 * Options of DynamisClient.connect. Every option but `nodes` and `token` has
 * a default. The token is never logged or echoed in an error.
 */
export const clientOptionsSchema = z
  .object({
    nodes: z
      .array(
        z.string().superRefine((address, ctx) => {
          const problem = nodeAddressProblem(address);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `'${address}' ${problem}` });
        }),
      )
      .min(1, 'give at least one node address')
      .describe('Node addresses, ws://host:port, wss://host:port (TLS) or host:port, in order of preference.'),
    tls: clientTlsOptionsSchema
      .optional()
      .describe(
        "Talk TLS (wss) to every node, verifying its certificate against `ca` (a PEM file; default: Node's built-in roots). The client presents no certificate: it authenticates with its token.",
      ),
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9._-]')
      .default('default')
      .describe('This client’s id, as registered with its token in the nodes’ clientTokens.'),
    token: z.string().min(16, 'must be at least 16 characters').describe('This client’s token (an HMAC key; never sent on the wire).'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe('Timeout of one attempt of one request (per-request `timeoutMs` overrides it).'),
    retries: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Extra attempts for a retryable failure. Default: max(2, nodes.length - 1).'),
    backoff: z
      .object({
        initialMs: z.number().int().nonnegative().default(50).describe('Delay before the first retry.'),
        maxMs: z.number().int().nonnegative().default(1000).describe('Cap of the doubling delay (jittered to 50–100%).'),
      })
      .prefault({})
      .describe('Backoff between attempts.'),
    limits: z
      .object({
        maxKeyBytes: z.number().int().positive().default(1024).describe('Largest key, in UTF-8 bytes (the node’s limits.maxKeyBytes).'),
        maxValueBytes: z.number().int().positive().default(MiB).describe('Largest value, in bytes (the node’s limits.maxValueBytes).'),
        maxBatchOps: z.number().int().positive().default(1000).describe('Most operations in one batch (the node’s limits.maxBatchOps).'),
      })
      .prefault({})
      .describe('Checked locally before sending; set them to the nodes’ limits (the defaults are the node defaults).'),
    maxPayloadBytes: z
      .number()
      .int()
      .min(65_536)
      .default(4 * MiB)
      .describe('Largest message sent or accepted (the nodes’ transport maxPayloadBytes).'),
    handshakeTimeoutMs: z.number().int().positive().default(5000).describe('Longest a connection attempt to one node may take.'),
    heartbeatIntervalMs: z.number().int().positive().default(5000).describe('Ping period of each connection.'),
  })
  .strict();

export type ClientOptionsInput = z.input<typeof clientOptionsSchema>;
export type ClientOptions = z.output<typeof clientOptionsSchema>;

/** Collaborators, for tests and embedding; each has a production default. */
export interface ClientDeps {
  /** Timers for backoff and connections. Default: core's SystemClock. */
  readonly clock?: Clock;
  /** Backoff jitter. Default: core's SystemRandom. */
  readonly random?: Random;
  /** Default: silent. */
  readonly logger?: Logger;
  /** How a node is reached. Default: a WsClient per node (@dynamis/transport-ws). */
  readonly connector?: Connector;
  /** What keeps the process alive while requests are pending. Default: a ref'd process handle (KeepAlive.ts). */
  readonly keepAlive?: KeepAlive;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
