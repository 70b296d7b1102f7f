/*
 * Bad content in valid shapes, built from the documented formats (not from
 * the packages that decode them, so a decoder bug cannot hide in both):
 * LWW versions (docs/format.md "LWW version"), dotted version vectors
 * (packages/conflict-vclock/README.md "Format"), gossip entries
 * (packages/gossip/README.md "Wire format") and replica siblings
 * (docs/protocol.md "Replica protocol").
 */

/** A sibling as the replica and hint protocols carry it. */
export interface WireSibling {
  readonly version: Uint8Array;
  readonly value: Uint8Array | null;
  readonly writtenAt: number;
  readonly expiresAt?: number;
}

/** An LWW version: 6 bytes physical ms, 2 bytes logical, the writer id (big-endian, memcmp order). */
export function lwwVersion(physicalMs: number, writer: string, logical = 0): Uint8Array {
  const id = Buffer.from(writer, 'latin1');
  const out = Buffer.alloc(8 + id.length);
  out.writeUIntBE(physicalMs, 0, 6);
  out.writeUInt16BE(logical, 6);
  id.copy(out, 8);
  return out;
}

/** Unsigned LEB128, shortest form. */
function varint(n: number, out: number[]): void {
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** `count` distinct node ids in strictly ascending byte order, each 1 + digits bytes: 'a000000', 'a000001', … */
function ids(count: number): string[] {
  const width = Math.max(1, String(count - 1).length);
  return Array.from({ length: count }, (_, i) => `a${String(i).padStart(width, '0')}`);
}

function entries(count: number, out: number[]): void {
  varint(count, out);
  for (const id of ids(count)) {
    out.push(id.length);
    for (let i = 0; i < id.length; i++) out.push(id.charCodeAt(i));
    varint(1, out);
  }
}

/**
 * A dotted-version-vector version whose causal past has `pastEntries`
 * entries (canonical otherwise): dot (writer 'z', counter 1). 10^6 entries
 * is about 9 MB.
 */
export function dvvVersion(pastEntries: number, writer = 'z'): Uint8Array {
  const out: number[] = [0xd1, writer.length];
  for (let i = 0; i < writer.length; i++) out.push(writer.charCodeAt(i));
  varint(1, out);
  entries(pastEntries, out);
  return Uint8Array.from(out);
}

/** A dotted-version-vector context (a client's or a reader's) with `count` entries. */
export function dvvContext(count: number): Uint8Array {
  const out: number[] = [0xc1];
  entries(count, out);
  return Uint8Array.from(out);
}

/** A live sibling with `version` and a small value. */
export function sibling(version: Uint8Array, value = 'hostile', writtenAt = 0): WireSibling {
  return { version, value: Buffer.from(value), writtenAt };
}

export type GossipStatus = 'alive' | 'suspect' | 'dead' | 'leaving' | 'left';

/** One gossip entry on the wire: `<id> <status> <incarnation> <address>[ w=<weight>][ j=<joinedAt>][ l=<leftAt>]`. */
export function gossipEntry(e: {
  id: string;
  status: GossipStatus;
  incarnation: number;
  address: string;
  weight?: number;
  joinedAt?: number;
  leftAt?: number;
}): string {
  const w = e.weight === undefined ? '' : ` w=${e.weight}`;
  const j = e.joinedAt === undefined ? '' : ` j=${e.joinedAt}`;
  const l = e.leftAt === undefined ? '' : ` l=${e.leftAt}`;
  return `${e.id} ${e.status} ${e.incarnation} ${e.address}${w}${j}${l}`;
}
