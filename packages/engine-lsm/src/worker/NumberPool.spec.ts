import { describe, expect, it } from '@jest/globals';
import { NumberPool } from './NumberPool';

describe('NumberPool', () => {
  it('hands out its numbers, asks for one more when it runs dry (once), and waits for it', async () => {
    let asks = 0;
    const pool = new NumberPool([7, 8], () => asks++);
    expect(pool.take()).toBe(7);
    expect(asks).toBe(0);
    expect(pool.take()).toBe(8);
    expect(asks).toBe(1); // asked ahead, before the number is needed
    expect(() => pool.take()).toThrow(/ready/);
    let ready = false;
    const waiting = pool.ready().then(() => (ready = true));
    await Promise.resolve();
    expect([ready, asks]).toEqual([false, 1]);
    pool.add([12]);
    await waiting;
    expect(pool.take()).toBe(12);
    expect(asks).toBe(2);
  });

  it('rejects ready() with the reason given to close() once empty', async () => {
    const pool = new NumberPool([1], () => undefined);
    pool.take();
    const waiting = pool.ready();
    pool.close(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    await expect(new NumberPool([3], () => undefined).ready()).resolves.toBeUndefined();
  });
});
