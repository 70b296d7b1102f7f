import { withFastParser } from '@dynamis/core';
import { z } from 'zod';
import { fastForwardReadReply, fastForwardRequest, fastForwardWriteReply } from './forwardFast';

/**
 * The plugin's one message type: a request forwarded by a node outside the
 * key's preference list to the first live node of that list, which
 * coordinates it and never forwards again (one hop). Each schema carries a
 * fast parser (forwardFast.ts), proven equivalent by a property test.
 */
export const FORWARD_MESSAGE = 'quorum.forward';
export const FORWARD_REPLY = 'quorum.forward.result';

/**
 * Longest `requestId` of a forwarded write: an id unique per forwarding
 * node, with which the coordinator serves a duplicate delivery of the same
 * request (a network that delivers a datagram twice, a replay) with the
 * first delivery's outcome instead of coordinating the write again.
 */
export const MAX_REQUEST_ID_LENGTH = 64;

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
const consistency = z.union([z.enum(['one', 'quorum', 'all']), z.number().int().positive()]);
const timeoutMs = z.number().int().positive().optional();

export const forwardRequestSchema = withFastParser(
  z.discriminatedUnion('op', [
    z.object({ op: z.literal('get'), key: z.string().min(1), consistency: consistency.optional(), timeoutMs }).strict(),
    z
      .object({
        op: z.literal('write'),
        key: z.string().min(1),
        value: bytes.nullable(),
        ttlMs: z.number().positive().optional(),
        context: bytes.optional(),
        ifAbsent: z.boolean().optional(),
        ifVersion: bytes.optional(),
        sloppyQuorum: z.boolean().optional(),
        consistency: consistency.optional(),
        timeoutMs,
        requestId: z.string().min(1).max(MAX_REQUEST_ID_LENGTH).optional(),
      })
      .strict(),
  ]),
  fastForwardRequest,
);

export type ForwardRequest = z.output<typeof forwardRequestSchema>;

export const forwardReadReplySchema = withFastParser(
  z
    .object({
      found: z.boolean(),
      siblings: z.array(z.object({ value: bytes, writtenAt: z.number(), expiresAt: z.number().optional() }).strict()),
      context: bytes,
    })
    .strict(),
  fastForwardReadReply,
);

export const forwardWriteReplySchema = withFastParser(
  z.object({ context: bytes, acks: z.number().int().nonnegative() }).strict(),
  fastForwardWriteReply,
);
