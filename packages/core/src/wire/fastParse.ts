import type { z } from 'zod';

/** What a FastParser returns for a value it does not accept (zod then decides, and words the error). */
export const NOT_FAST: unique symbol = Symbol('dynamis.notFast');

/**
 * A hand-written parser for one zod schema, for hot messages: returns exactly
 * what `schema.safeParse(value).data` would be when zod accepts `value` (the
 * value itself for a strict object without transforms; a fresh object with
 * only the declared keys for a stripping one), and NOT_FAST otherwise. It must
 * never accept what the schema refuses: each one is proven equivalent to its
 * schema by a fast-check property (testkit's fastParserContract).
 */
export type FastParser<T> = (value: unknown) => T | typeof NOT_FAST;

const parsers = new WeakMap<z.ZodType, FastParser<unknown>>();

/**
 * Attaches `parser` to `schema` (the same instance, returned) so that
 * parsePayload uses it. The schema stays the source of truth: a value the
 * fast parser does not accept is parsed by zod, whose verdict and messages
 * are final.
 */
export function withFastParser<S extends z.ZodType>(schema: S, parser: FastParser<z.output<S>>): S {
  parsers.set(schema, parser as FastParser<unknown>);
  return schema;
}

/** The fast parser attached to `schema`, if any. */
export function fastParserOf<S extends z.ZodType>(schema: S): FastParser<z.output<S>> | undefined {
  return parsers.get(schema) as FastParser<z.output<S>> | undefined;
}

/** `schema.safeParse(value)`, through its fast parser first when it has one. Same result either way. */
export function parsePayload<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  const fast = parsers.get(schema);
  if (fast !== undefined) {
    const data = fast(value);
    if (data !== NOT_FAST) return { success: true, data: data as z.output<S> };
  }
  return schema.safeParse(value);
}
