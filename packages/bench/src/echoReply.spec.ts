import { describe, expect, it } from '@jest/globals';
import { ECHO_HEADER_BYTES, echoReply, echoRequest } from './echoReply';

describe('echoRequest and echoReply', () => {
  it('asks for a reply of any size and gets exactly that size back, with the operation id kept', () => {
    for (const [bytes, reply] of [
      [1088, 1088],
      [1088, 64],
      [64, 1088],
      [8, 8],
      [8, 100],
    ] as const) {
      const req = echoRequest(0xdeadbeef, bytes, reply);
      expect(req).toHaveLength(bytes);
      const out = echoReply(req);
      expect(out).toHaveLength(reply);
      expect(out.readUInt32LE(0)).toBe(0xdeadbeef);
    }
  });

  it('sends the message itself back when it asks for its own length, its prefix when it asks for less', () => {
    const same = echoRequest(7, 100, 100);
    expect(echoReply(same)).toBe(same);
    const shorter = echoRequest(7, 100, 20);
    expect(echoReply(shorter)).toEqual(shorter.subarray(0, 20));
  });

  it('answers a message shorter than the header, or asking for less than a header, with at least what it got', () => {
    const tiny = Buffer.from([1, 2, 3]);
    expect(echoReply(tiny)).toBe(tiny);
    expect(echoReply(echoRequest(9, 64, 0))).toHaveLength(ECHO_HEADER_BYTES);
  });
});
