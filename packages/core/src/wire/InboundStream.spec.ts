import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '../errors/DynamisError';
import { InboundStream } from './InboundStream';

function sink() {
  const grants: number[] = [];
  let cancels = 0;
  return {
    grants,
    cancels: () => cancels,
    sink: { grant: (_id: number, n: number) => grants.push(n), cancel: () => void cancels++ },
  };
}

describe('InboundStream', () => {
  it('buffers at most `credit` chunks and grants back half the credit as it is consumed', async () => {
    const s = sink();
    const body = new InboundStream(1, 4, s.sink);
    for (let i = 0; i < 4; i++) expect(body.push(Uint8Array.of(i))).toBe(true);
    expect(body.push(Uint8Array.of(9))).toBe(false); // beyond credit
    const it = body[Symbol.asyncIterator]();
    expect([...((await it.next()).value as Uint8Array)]).toEqual([0]);
    expect(s.grants).toEqual([]);
    await it.next();
    expect(s.grants).toEqual([2]);
    expect(body.push(Uint8Array.of(4))).toBe(true);
    expect(body.push(Uint8Array.of(5))).toBe(true);
    expect(body.push(Uint8Array.of(6))).toBe(false);
  });

  it('delivers buffered chunks after the end, then finishes', async () => {
    const body = new InboundStream(1, 8, sink().sink);
    body.push(Uint8Array.of(1));
    body.push(Uint8Array.of(2));
    body.end();
    const got: number[] = [];
    for await (const c of body) got.push(...c);
    expect(got).toEqual([1, 2]);
    expect(body.push(Uint8Array.of(3))).toBe(false);
  });

  it('cancels the sender once when the consumer leaves early', async () => {
    const s = sink();
    const body = new InboundStream(1, 8, s.sink);
    body.push(Uint8Array.of(1));
    for await (const _c of body) break;
    await body.return();
    expect(s.cancels()).toBe(1);
    expect(body.finished).toBe(true);
  });

  it('fails pending and later reads with the error; allows one iteration only', async () => {
    const body = new InboundStream(1, 8, sink().sink);
    const it = body[Symbol.asyncIterator]();
    const pending = it.next();
    body.fail(new DynamisError('UNAVAILABLE', 'lost'));
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(it.next()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(body.aborted).toBe(true);
    expect(() => body[Symbol.asyncIterator]()).toThrow(DynamisError);
  });
});
