import { z } from 'zod';
import { DynamisError } from '../errors/DynamisError';
import type { NodeId } from '../ports/types';

/** One peer as written in `seeds`: `id@host:port`. */
export interface PeerAddress {
  readonly id: NodeId;
  readonly host: string;
  readonly port: number;
  /** `host:port` (IPv6 hosts in brackets): what a Transport's setPeerAddress takes. */
  readonly address: string;
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})$/;

/**
 * zod schema of one `id@host:port` entry, output a PeerAddress. The id follows
 * the node id rule (1–64 of [A-Za-z0-9._-]); the host is a DNS name, an IPv4
 * address or a bracketed IPv6 address; the port is 1–65535 (0 is refused: a
 * peer never listens on "any port").
 */
export const peerAddressSchema = z.string().transform((entry, ctx): PeerAddress => {
  const at = entry.indexOf('@');
  const colon = entry.lastIndexOf(':');
  const fail = (why: string): PeerAddress => {
    ctx.addIssue({ code: 'custom', message: `'${entry}' is not id@host:port: ${why}` });
    return z.NEVER;
  };
  if (at <= 0) return fail('missing the node id before @');
  if (colon < at) return fail('missing :port');
  const id = entry.slice(0, at);
  const host = entry.slice(at + 1, colon);
  const portText = entry.slice(colon + 1);
  if (!ID.test(id)) return fail('the id must be 1–64 characters of [A-Za-z0-9._-]');
  if (!HOST.test(host)) return fail('the host must be a name, an IPv4 address or a bracketed IPv6 address');
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return fail('the port must be 1–65535');
  const port = Number(portText);
  return { id, host, port, address: `${host}:${port}` };
});

/**
 * Parses a list of `id@host:port` entries (the config's `seeds`). Throws
 * INVALID_CONFIG naming every offending entry by index (`seeds.1: 'x' is not
 * id@host:port: …`) and any id listed twice with two different addresses
 * (`details.problems`). An entry repeated exactly is kept once. Pure.
 */
export function parsePeerAddresses(entries: readonly unknown[], what = 'seeds'): PeerAddress[] {
  const problems: { path: string; message: string }[] = [];
  const byId = new Map<NodeId, PeerAddress>();
  entries.forEach((entry, i) => {
    const parsed = peerAddressSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push({ path: `${what}.${i}`, message: parsed.error.issues.map((issue) => issue.message).join('; ') });
      return;
    }
    const other = byId.get(parsed.data.id);
    if (other !== undefined && other.address !== parsed.data.address) {
      problems.push({
        path: `${what}.${i}`,
        message: `node ${parsed.data.id} is listed twice, at ${other.address} and ${parsed.data.address}`,
      });
      return;
    }
    byId.set(parsed.data.id, parsed.data);
  });
  if (problems.length > 0) {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    throw new DynamisError('INVALID_CONFIG', `Invalid ${what}:\n${lines.join('\n')}`, { details: { problems } });
  }
  return [...byId.values()];
}
