import { z } from 'zod';
import type { CausalContext } from '../ports/types';
import { withFastParser } from '../wire/fastParse';
import { fastClientDelete, fastClientGet, fastClientPut, fastClientReadResult, fastClientWriteResult } from './clientProtocolFast';

/**
 * The client protocol: message types a client (a sender named `client:<id>`)
 * sends to any node, their request schemas and their reply schemas. Reference:
 * docs/protocol.md, section "Client API". The node side is ClientApi; the
 * client side is @dynamis/client.
 *
 * The request schemas check *shape* only (a key is a string, a value is
 * bytes); *limits and semantics* (empty key, key or value too large, bad ttl,
 * bad consistency) are the Store's, so a client over the wire gets exactly the
 * error codes an in-process caller gets (INVALID_KEY, VALUE_TOO_LARGE,
 * INVALID_ARGUMENT). A payload that fails its schema is a PROTOCOL_ERROR from
 * the router and never reaches the Store.
 *
 * The hot schemas (put, get, delete and their replies) carry fast parsers
 * (clientProtocolFast.ts, wire/fastParse.ts), proven equivalent to them by a
 * property test; zod stays the source of truth and words every error.
 */
export const CLIENT_MESSAGE = {
  put: 'client.put',
  get: 'client.get',
  delete: 'client.delete',
  batch: 'client.batch',
  scan: 'client.scan',
} as const;

/** Reply envelope types, one per request type. */
export const CLIENT_REPLY = {
  put: 'client.put.result',
  get: 'client.get.result',
  delete: 'client.delete.result',
  batch: 'client.batch.result',
  scan: 'client.scan.result',
} as const;

const bytes = z.instanceof(Uint8Array);
/** Bytes from the wire typed as a CausalContext; the resolver validates them (validateContext). */
const causalContext = z.custom<CausalContext>((v) => v instanceof Uint8Array, 'expected a Uint8Array');
/** 'one' | 'quorum' | 'all' | a replica count; the Store rejects other values with INVALID_ARGUMENT. */
const consistency = z.union([z.string(), z.number().int()]);

const readOptions = z.object({ consistency: consistency.optional(), timeoutMs: z.number().optional() }).strict();

const writeOptions = z
  .object({
    consistency: consistency.optional(),
    timeoutMs: z.number().optional(),
    ttlMs: z.number().optional(),
    context: causalContext.optional(),
    ifAbsent: z.boolean().optional(),
    ifVersion: causalContext.optional(),
    sloppyQuorum: z.boolean().optional(),
  })
  .strict();

const batchOp = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('put'), key: z.string(), value: bytes, ttlMs: z.number().optional(), context: causalContext.optional() })
    .strict(),
  z.object({ type: z.literal('del'), key: z.string(), context: causalContext.optional() }).strict(),
]);

export const clientPutSchema = withFastParser(
  z.object({ key: z.string(), value: bytes, options: writeOptions.optional() }).strict(),
  fastClientPut,
);
export const clientGetSchema = withFastParser(z.object({ key: z.string(), options: readOptions.optional() }).strict(), fastClientGet);
export const clientDeleteSchema = withFastParser(
  z.object({ key: z.string(), options: writeOptions.optional() }).strict(),
  fastClientDelete,
);
export const clientBatchSchema = z.object({ ops: z.array(batchOp), options: writeOptions.optional() }).strict();

export type ClientPutRequest = z.output<typeof clientPutSchema>;
export type ClientGetRequest = z.output<typeof clientGetSchema>;
export type ClientDeleteRequest = z.output<typeof clientDeleteSchema>;
export type ClientBatchRequest = z.output<typeof clientBatchSchema>;

/** Reply to client.put and client.delete: a WriteResult. */
export const clientWriteResultSchema = withFastParser(
  z.object({ context: causalContext, acks: z.number().int().nonnegative() }),
  fastClientWriteResult,
);

/** Reply to client.get: a ReadResult. */
export const clientReadResultSchema = withFastParser(
  z.object({
    found: z.boolean(),
    siblings: z.array(z.object({ value: bytes, writtenAt: z.number(), expiresAt: z.number().optional() })),
    context: causalContext,
  }),
  fastClientReadResult,
);

/** Reply to client.batch: one WriteResult per op, in order. */
export const clientBatchResultSchema = z.object({ results: z.array(clientWriteResultSchema) });

/**
 * client.scan: one page of a cluster-wide scan (docs/protocol.md "Scan").
 * Shape only; the Store checks the values (checkScanOptions, the cursor).
 */
export const clientScanSchema = z
  .object({
    prefix: z.string().optional(),
    cursor: z.string().optional(),
    limit: z.number().optional(),
    consistency: consistency.optional(),
    timeoutMs: z.number().optional(),
  })
  .strict();

export type ClientScanRequest = z.output<typeof clientScanSchema>;

const versionedValue = z.object({ value: bytes, writtenAt: z.number(), expiresAt: z.number().optional() });

/** Reply to client.scan: a ScanPage. */
export const clientScanResultSchema = z.object({
  items: z.array(z.object({ key: z.string(), siblings: z.array(versionedValue), context: causalContext })),
  cursor: z.string().nullable(),
});
