import { describe, expect, it } from '@jest/globals';
import { DynamisError, fastParserOf, MessageRouter, NOT_FAST } from '@dynamis/core';
import fc from 'fast-check';
import type { z } from 'zod';

export interface FastParserContractOptions {
  /** fast-check runs per property (default 300). */
  readonly numRuns?: number;
  /** Array lengths a mutation may stretch an array to (to cross `.min`/`.max` bounds); default [0, 1, 2, 129]. */
  readonly lengths?: readonly number[];
}

/** Values a mutation puts in place of any part of a message: wrong types, bad numbers, hostile strings and objects. */
function hostileValues(): unknown[] {
  let deep: unknown = 1;
  for (let i = 0; i < 80; i++) deep = [deep];
  const nullProto = Object.create(null) as Record<string, unknown>;
  nullProto.x = 1;
  return [
    '',
    'x',
    '\uD800',
    'a\uDC00b',
    'k'.repeat(70_000),
    'one',
    'quorum',
    'all',
    'get',
    'write',
    0,
    -0,
    -1,
    1,
    1.5,
    2 ** 53,
    -(2 ** 53),
    1e21,
    NaN,
    Infinity,
    -Infinity,
    true,
    false,
    null,
    undefined,
    [],
    [1],
    {},
    new Uint8Array(0),
    Buffer.from('b'),
    new Uint16Array(1),
    new Date(0),
    new Map(),
    deep,
    nullProto,
    JSON.parse('{"__proto__": {"polluted": 1}}'),
    1n,
  ];
}

/** Every path (list of keys/indexes) of plain objects and arrays in `v`, the root included. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array))
    for (const k of Object.keys(v)) paths((v as never)[k], [...at, k], out);
  return out;
}

/** A copy of `v` along `path` (containers on the path copied, the rest shared) with `edit` applied to the node at `path`. */
function editAt(v: unknown, path: readonly (string | number)[], edit: (node: unknown) => unknown): unknown {
  if (path.length === 0) return edit(v);
  const [head, ...rest] = path;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  copy[head!] = editAt(copy[head!], rest, edit);
  return copy;
}

type Mutation = (node: unknown) => unknown;

function mutations(lengths: readonly number[]): fc.Arbitrary<Mutation> {
  const replace = fc.constantFrom(...hostileValues()).map(
    (h): Mutation =>
      () =>
        h,
  );
  const extraKey = fc
    .constantFrom('__proto__', 'constructor', 'toString', 'extra', 'key', 'value', 'options', 'siblings')
    .map((name): Mutation => (node) => {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
      const copy = { ...(node as object) } as Record<string, unknown>;
      Object.defineProperty(copy, name, { value: 1, enumerable: true, configurable: true, writable: true });
      return copy;
    });
  const dropKey = fc.nat().map((n): Mutation => (node) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 0) return node;
    const copy = { ...(node as object) } as Record<string, unknown>;
    delete copy[keys[n % keys.length]!];
    return copy;
  });
  const stretch = fc.constantFrom(...lengths).map((n): Mutation => (node) => {
    if (!Array.isArray(node)) return node;
    return Array.from({ length: n }, (_, i) => (node.length === 0 ? i : node[i % node.length]));
  });
  const hole = fc.constant<Mutation>((node) => {
    if (!Array.isArray(node) || node.length === 0) return node;
    const copy = [...node];
    delete copy[0];
    return copy;
  });
  const inherited = fc.constant<Mutation>((node) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
    return Object.assign(Object.create({ inherited: 1 }), node);
  });
  return fc.oneof(replace, extraKey, dropKey, stretch, hole, inherited);
}

/** One to three mutations of a valid message. */
function mutated(valid: fc.Arbitrary<unknown>, lengths: readonly number[]): fc.Arbitrary<unknown> {
  return valid.chain((v) =>
    fc.array(fc.tuple(fc.nat(), mutations(lengths)), { minLength: 1, maxLength: 3 }).map((steps) =>
      steps.reduce((acc, [i, m]) => {
        const all = paths(acc);
        return editAt(acc, all[i % all.length]!, m);
      }, v),
    ),
  );
}

/** Plain data as a decoded frame holds it: what a fast parser must not decline when zod accepts it. */
function isPlainData(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return true;
  if (Array.isArray(v)) return v.every(isPlainData);
  const proto: unknown = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && Object.values(v).every(isPlainData);
}

/** Structural equality of parse outputs: same kinds, same own keys (undefined-valued ones included), same bytes. */
function sameData(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array)
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.join('\0') === kb.join('\0') && ka.every((k) => sameData((a as never)[k], (b as never)[k]));
}

/** Checks fast parser and schema agree on `v`; returns a description of the disagreement, or undefined. */
function disagreement(schema: z.ZodType, v: unknown): string | undefined {
  const fast = fastParserOf(schema)!(v);
  const slow = schema.safeParse(v);
  // Declining is allowed (zod then parses) only where zod's parse is not the value itself read as plain data.
  if (fast === NOT_FAST)
    return slow.success && isPlainData(v) && sameData(slow.data, v) ? 'zod accepts plain data the fast parser declines' : undefined;
  if (!slow.success) return `the fast parser accepts what zod refuses: ${slow.error.issues.map((i) => i.message).join('; ')}`;
  return sameData(fast, slow.data) ? undefined : 'the fast parser returns other data than zod';
}

async function outcome(router: MessageRouter, payload: unknown): Promise<unknown> {
  try {
    return { ok: await router.dispatch('n1', { type: 'probe', payload }) };
  } catch (err) {
    return err instanceof DynamisError ? { code: err.code, message: err.message } : { thrown: String(err) };
  }
}

/**
 * Proves that the fast parser attached to `schema` (core's withFastParser)
 * accepts exactly what the schema accepts, with the same parsed data: every
 * message `valid` generates is accepted by both; every mutation of one (wrong
 * types, missing and extra keys, `__proto__` and inherited keys, bad
 * integers, NaN and infinities, oversize strings and arrays, lone
 * surrogates, deep nesting, holes) is accepted by both or by neither — the
 * fast parser may decline (leaving it to zod) only a value that is not plain
 * data or that zod's parse changes (bytes where an object belongs, stripped
 * keys), and what it accepts it returns as zod does; and a
 * MessageRouter with the fast parser answers every message exactly as one
 * with the bare schema (same reply, or same error code and message).
 */
export function fastParserContract(
  name: string,
  schema: z.ZodType,
  valid: fc.Arbitrary<unknown>,
  options: FastParserContractOptions = {},
): void {
  const numRuns = options.numRuns ?? 300;
  const lengths = options.lengths ?? [0, 1, 2, 129];
  describe(`fast parser of ${name}`, () => {
    it('is attached to the schema', () => {
      expect(fastParserOf(schema)).toBeDefined();
    });

    it('accepts every well-formed message, with the data zod returns', () => {
      fc.assert(
        fc.property(valid, (v) => {
          expect(schema.safeParse(v).success).toBe(true);
          expect(fastParserOf(schema)!(v)).not.toBe(NOT_FAST);
          expect(disagreement(schema, v)).toBeUndefined();
        }),
        { numRuns },
      );
    });

    it('agrees with the schema on every mutation of one', () => {
      fc.assert(
        fc.property(mutated(valid, lengths), (v) => {
          expect(disagreement(schema, v)).toBeUndefined();
        }),
        { numRuns: numRuns * 3 },
      );
    });

    it('makes the router answer exactly as with the bare schema', async () => {
      const handler = async (_from: string, m: unknown) => ({ type: 'probe.result', payload: m });
      const fast = new MessageRouter();
      fast.register('probe', schema, handler);
      const bare = new MessageRouter();
      bare.register('probe', schema.clone(), handler);
      await fc.assert(
        fc.asyncProperty(fc.oneof(valid, mutated(valid, lengths)), async (v) => {
          const [a, b] = [await outcome(fast, v), await outcome(bare, v)];
          expect(sameData(a, b)).toBe(true);
        }),
        { numRuns },
      );
    });
  });
}
