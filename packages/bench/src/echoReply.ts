/**
 * Bytes of a fan-out message's header: its operation id (u32 LE), then the
 * length of the reply it asks for (u32 LE).
 */
export const ECHO_HEADER_BYTES = 8;

/** A fan-out message of `bytes` bytes (≥ ECHO_HEADER_BYTES) for operation `id` that asks for a reply of `replyBytes` bytes; the rest is filler. */
export function echoRequest(id: number, bytes: number, replyBytes: number): Buffer {
  const msg = Buffer.alloc(bytes, 0x5a);
  msg.writeUInt32LE(id >>> 0, 0);
  msg.writeUInt32LE(replyBytes, 4);
  return msg;
}

/**
 * The echo peer's answer to `data`: the message itself when it asks for a
 * reply of its own length (or is shorter than a header), else its first
 * bytes up to the length asked for, filled up with zeros past its end. The
 * operation id (the first 4 bytes) is always kept.
 */
export function echoReply(data: Buffer): Buffer {
  if (data.length < ECHO_HEADER_BYTES) return data;
  const want = Math.max(data.readUInt32LE(4), ECHO_HEADER_BYTES);
  if (want === data.length) return data;
  if (want < data.length) return data.subarray(0, want);
  const reply = Buffer.alloc(want);
  data.copy(reply);
  return reply;
}
