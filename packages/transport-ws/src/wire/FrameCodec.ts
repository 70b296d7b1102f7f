import { DynamisError, MAX_WIRE_DEPTH, MAX_WIRE_NODES } from '@dynamis/core';
import { frameFault } from './frameCheck';
import { explainFrame, type Frame, type FrameKind } from './frameSchema';
import { NOT_PLAIN, PlainMsgpackDecoder } from './PlainMsgpackDecoder';
import { PlainMsgpackEncoder } from './PlainMsgpackEncoder';

/** Values of a frame that are not its body: the array, kind, id and type. */
const FRAME_HEAD_NODES = 4;

/**
 * A message that is a well-formed frame except that some string in it is not
 * well-formed UTF-8 (decoding would rewrite it to U+FFFD, so two different
 * keys would become one). Only its kind and id are kept: a request gets an
 * INVALID_KEY answer, anything else is a protocol violation.
 */
export class IllFormedTextFrame {
  constructor(
    readonly kind: FrameKind,
    readonly id: number,
  ) {}
}

/**
 * Encodes and decodes frames (docs/protocol.md): a msgpack array
 * `[kind, id, type, body]`, one per WebSocket binary message.
 *
 * `encode` (PlainMsgpackEncoder) does not validate beyond what plain msgpack
 * can carry (callers build frames from checked parts) and returns a Buffer
 * that stays valid after later calls (each result is written past the
 * previous one). `decode` reads plain msgpack only (PlainMsgpackDecoder: no
 * extensions, at most MAX_WIRE_NODES values, checked while decoding) and
 * validates the frame with frameFault. Not re-entrant; one codec may serve
 * many connections of one process.
 */
export class FrameCodec {
  private readonly encoder = new PlainMsgpackEncoder();
  /** The frame array is one level above the payload. */
  private readonly decoder = new PlainMsgpackDecoder(MAX_WIRE_NODES + 8, MAX_WIRE_DEPTH + 1);
  /** What the last decode rejected (the decoded value, or NOT_PLAIN), for lastRejection. */
  private rejected: unknown = undefined;

  encode(kind: FrameKind, id: number, type: string, body: unknown): Buffer {
    return this.encoder.frame(kind, id, type, body);
  }

  /**
   * Decodes and validates one message. Returns the frame; an
   * IllFormedTextFrame for a valid frame carrying a string that is not
   * well-formed UTF-8; or undefined for anything that is not exactly one
   * valid frame of plain msgpack (undecodable bytes, an extension type,
   * trailing bytes, a non-array, an unknown kind, a schema mismatch, more
   * than MAX_WIRE_NODES values). Never throws; time linear in `data.length`.
   */
  decode(data: Uint8Array): Frame | IllFormedTextFrame | undefined {
    this.rejected = undefined;
    const value = this.decoder.decode(data);
    if (value === NOT_PLAIN) return this.reject(NOT_PLAIN);
    // frameFault accepts exactly what FRAME_SCHEMAS accepts (frameCheck.spec.ts); they only check, so the decoded array is the frame.
    if (frameFault(value, this.bodyIsWireValue()) !== undefined) {
      this.rejected = value;
      return undefined;
    }
    const frame = value as unknown as Frame;
    return this.decoder.illFormedText ? new IllFormedTextFrame(frame[0], frame[1]) : frame;
  }

  /**
   * Why the last `decode` returned undefined: PROTOCOL_ERROR whose message
   * is zod's (FRAME_SCHEMAS, computed only now) and whose details name the
   * field (`frame`, `kind`, `id`, `type`, `body`, or `bytes` for what is not
   * one plain msgpack value). Undefined after a successful decode, and once
   * asked (the codec then lets go of the rejected value).
   */
  lastRejection(): DynamisError | undefined {
    const value = this.rejected;
    this.rejected = undefined; // keep no decoded payload alive
    if (value === undefined) return undefined;
    if (value === NOT_PLAIN)
      return new DynamisError('PROTOCOL_ERROR', 'invalid frame: not one plain msgpack value', { details: { field: 'bytes' } });
    const why = explainFrame(value) ?? { field: 'frame', message: 'rejected by the fast path only (a bug: see frameCheck.ts)' };
    return new DynamisError('PROTOCOL_ERROR', `invalid frame: ${why.message}`.slice(0, 1024), { details: { field: why.field } });
  }

  /**
   * True when the value just decoded is sure to have a body that isWireValue
   * accepts, so frameFault need not walk it again. The decoder makes only
   * plain data (null, booleans, numbers, strings, Buffers, arrays, plain
   * objects, no shared parts) and refuses a container nested deeper than
   * isWireValue allows (its depth bound is one more, for the frame array).
   * What remains of isWireValue's rule: at most MAX_WIRE_NODES values in the
   * body (the decoder counts the frame's array, kind, id and type, and map
   * keys too, so its count bounds the body's from above) and no Uint8Array
   * at the body's depth MAX_WIRE_DEPTH (deepBin). Proven against isWireValue
   * in FrameCodec.spec.ts.
   */
  private bodyIsWireValue(): boolean {
    return !this.decoder.deepBin && this.decoder.decodedNodes - FRAME_HEAD_NODES <= MAX_WIRE_NODES;
  }

  private reject(why: typeof NOT_PLAIN): undefined {
    this.rejected = why;
    return undefined;
  }
}
