import { asCausalContext, type ReadOptions, type VersionedValue, type WriteOptions } from '@dynamis/core';
import type { ForwardRequest } from './forwardProtocol';

/** What a write stores: a value (with its TTL) or, for a delete, null. */
export interface Write {
  readonly value: Uint8Array | null;
  readonly ttlMs?: number | undefined;
}

/** The consistency and timeout of a request, absent keys left out. */
export function requestLevel(options: ReadOptions): Pick<ForwardRequest, 'consistency' | 'timeoutMs'> {
  return {
    ...(options.consistency === undefined ? {} : { consistency: options.consistency }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
}

/** A write as forwarded: the value, every option that decides its outcome, and the forwarder's id for it (dedup of duplicate deliveries). */
export function forwardWrite(key: string, write: Write, options: WriteOptions, requestId?: string): ForwardRequest {
  return {
    op: 'write',
    key,
    value: write.value,
    ...(write.ttlMs === undefined ? {} : { ttlMs: write.ttlMs }),
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.ifAbsent === undefined ? {} : { ifAbsent: options.ifAbsent }),
    ...(options.ifVersion === undefined ? {} : { ifVersion: options.ifVersion }),
    ...(options.sloppyQuorum === undefined ? {} : { sloppyQuorum: options.sloppyQuorum }),
    ...requestLevel(options),
    ...(requestId === undefined ? {} : { requestId }),
  };
}

/** The options of a forwarded request, contexts branded again (the coordinator validates them with the resolver). */
export function forwardedOptions(request: ForwardRequest): WriteOptions {
  const base: WriteOptions = {
    ...(request.consistency === undefined ? {} : { consistency: request.consistency }),
    ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
  };
  if (request.op === 'get') return base;
  return {
    ...base,
    ...(request.context === undefined ? {} : { context: asCausalContext(request.context) }),
    ...(request.ifVersion === undefined ? {} : { ifVersion: asCausalContext(request.ifVersion) }),
    ...(request.ifAbsent === undefined ? {} : { ifAbsent: request.ifAbsent }),
    ...(request.sloppyQuorum === undefined ? {} : { sloppyQuorum: request.sloppyQuorum }),
  };
}

/** A live value as it travels in a forwarded read's reply (no `expiresAt` key when it does not expire). */
export function wireValue(v: VersionedValue): VersionedValue {
  return v.expiresAt === undefined
    ? { value: v.value, writtenAt: v.writtenAt }
    : { value: v.value, writtenAt: v.writtenAt, expiresAt: v.expiresAt };
}
