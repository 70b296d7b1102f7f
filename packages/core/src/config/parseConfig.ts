import type { ServiceIdentifier } from 'inversify';
import { z } from 'zod';
import { DynamisError } from '../errors/DynamisError';
import { configSchema, type DynamisConfig } from './schema';

export const ConfigToken: ServiceIdentifier<DynamisConfig> = Symbol.for('dynamis.Config');

/** One bad option: its dotted path ('' for the root) and why. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Lists every problem zod found, one per path. */
export function describeZodIssues(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Validates `input` against `schema` and fills in defaults. Throws one
 * INVALID_CONFIG error listing every bad path and why (details.problems).
 * `what` names the config in the message (e.g. 'node config', 'plugin @dynamis/engine-lsm').
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = describeZodIssues(result.error);
  const lines = problems.map((p) => `  - ${p.path === '' ? '(root)' : p.path}: ${p.message}`);
  throw new DynamisError('INVALID_CONFIG', `Invalid ${what}:\n${lines.join('\n')}`, { details: { problems } });
}

/** Validates a node config; see parseWithSchema for errors. */
export function parseConfig(input: unknown): DynamisConfig {
  return parseWithSchema(configSchema, input, 'node config');
}

/** Option paths with their descriptions and defaults, for docs and `--help`. */
export function describeConfig(): Array<{ path: string; description: string; default: unknown }> {
  const defaults = parseConfig({}) as Record<string, unknown>;
  const out: Array<{ path: string; description: string; default: unknown }> = [];
  const walk = (schema: z.ZodType, path: string[], value: unknown): void => {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
        walk(child, [...path, key], (value as Record<string, unknown> | undefined)?.[key]);
      }
      return;
    }
    out.push({ path: path.join('.'), description: schema.description ?? inner.description ?? '', default: value });
  };
  walk(configSchema, [], defaults);
  return out;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe)
      s = s.in as z.ZodType; // a section with a transform (defaults derived from other keys)
    else return s;
  }
}
