import { DynamisError, liveValues, type CausalContext, type ConflictResolver, type Sibling, type WriteOptions } from '@dynamis/core';

/** Throws CONFLICT (details `key`, `condition`) when `ifAbsent` or `ifVersion` fails against `record`. */
export function checkCondition(
  resolver: ConflictResolver,
  key: string,
  record: readonly Sibling[],
  options: WriteOptions,
  now: number,
): void {
  if (options.ifAbsent === true && liveValues(record, now).length > 0) {
    throw new DynamisError('CONFLICT', `put-if-absent failed: key ${JSON.stringify(key)} has a value`, {
      details: { key, condition: 'ifAbsent' },
    });
  }
  if (options.ifVersion !== undefined && !resolver.descends(options.ifVersion, record)) {
    throw new DynamisError('CONFLICT', `put-if-version failed: key ${JSON.stringify(key)} changed since that version was read`, {
      details: { key, condition: 'ifVersion' },
    });
  }
}

/** Lets the resolver refuse a client's context (INVALID_ARGUMENT); an empty context is "none". */
export function validateContext(resolver: ConflictResolver, context: CausalContext | undefined, now: number): void {
  if (context !== undefined && context.length > 0) resolver.validateContext(context, now);
}
