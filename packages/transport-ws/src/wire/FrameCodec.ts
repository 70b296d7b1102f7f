import { Packr } from 'msgpackr';
import { FRAME_SCHEMAS, type Frame, type FrameKind } from './frameSchema';

/**
 * Encodes and decodes frames (docs/protocol.md): a msgpack array
 * `[kind, id, type, body]`, one per WebSocket binary message.
 *
 * `encode` does not validate (callers build frames from checked parts) and
 * returns a Buffer that stays valid after later calls (msgpackr writes each
 * result past the previous one). Not re-entrant; one codec may serve many
 * connections of one process.
 */
export class FrameCodec {
  private readonly packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number', mapsAsObjects: true });
  private readonly scratch: [number, number, string, unknown] = [0, 0, '', null];

  encode(kind: FrameKind, id: number, type: string, body: unknown): Buffer {
    const s = this.scratch;
    s[0] = kind;
    s[1] = id;
    s[2] = type;
    s[3] = body;
    try {
      return this.packr.pack(s);
    } finally {
      s[3] = null;
    }
  }

  /**
   * Decodes and validates one message. Returns the frame, or undefined for
   * anything that is not exactly one valid frame (undecodable bytes, trailing
   * bytes, a non-array, an unknown kind, a schema mismatch). Never throws.
   */
  decode(data: Uint8Array): Frame | undefined {
    let value: unknown;
    try {
      value = this.packr.unpack(data);
    } catch {
      return undefined;
    }
    if (!Array.isArray(value) || value.length !== 4) return undefined;
    const kind: unknown = value[0];
    if (typeof kind !== 'number') return undefined;
    const schema = FRAME_SCHEMAS[kind];
    if (schema === undefined) return undefined;
    // The schemas only check (no defaults, no transforms): on success the decoded array is the frame.
    return schema.safeParse(value).success ? (value as unknown as Frame) : undefined;
  }
}
