import { describe, expect, it } from '@jest/globals';
import { firstOf } from './ycsb';

/** A promise and its settle functions. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** 'resolved', 'rejected: <message>' or 'pending', after the microtasks queued so far ran. */
async function state(p: Promise<void>): Promise<string> {
  let s = 'pending';
  p.then(
    () => (s = 'resolved'),
    (err: Error) => (s = `rejected: ${err.message}`),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return s;
}

describe('firstOf', () => {
  it('resolves once k calls resolved, not before, whatever the others do', async () => {
    const [a, b, c] = [deferred(), deferred(), deferred()];
    const done = firstOf([a.promise, b.promise, c.promise], 2);
    a.resolve();
    expect(await state(done)).toBe('pending');
    c.reject(new Error('late one failed'));
    expect(await state(done)).toBe('pending');
    b.resolve();
    expect(await state(done)).toBe('resolved');
  });

  it('rejects with the first failure once k can no longer resolve, not before', async () => {
    const [a, b, c] = [deferred(), deferred(), deferred()];
    const done = firstOf([a.promise, b.promise, c.promise], 2);
    a.reject(new Error('first'));
    expect(await state(done)).toBe('pending');
    b.reject(new Error('second'));
    expect(await state(done)).toBe('rejected: first');
    c.resolve();
    expect(await state(done)).toBe('rejected: first');
  });

  it('needs every call when k is their number, and rejects at once when there are fewer than k', async () => {
    const [a, b] = [deferred(), deferred()];
    const both = firstOf([a.promise, b.promise], 2);
    a.resolve();
    expect(await state(both)).toBe('pending');
    b.resolve();
    expect(await state(both)).toBe('resolved');
    expect(await state(firstOf([Promise.resolve()], 2))).toBe('rejected: firstOf: 2 of 1 calls can never resolve');
  });
});
