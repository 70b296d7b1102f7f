import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ByteQueue } from './ByteQueue';

describe('ByteQueue', () => {
  it('is a FIFO with an exact byte count (model check against an array)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(100), fc.constant(-1)), { maxLength: 3000 }), (ops) => {
        const q = new ByteQueue();
        const model: Buffer[] = [];
        for (const op of ops) {
          if (op < 0) expect(q.shift()).toBe(model.shift());
          else {
            const b = Buffer.alloc(op);
            q.push(b);
            model.push(b);
          }
          expect(q.length).toBe(model.length);
          expect(q.bytes).toBe(model.reduce((n, b) => n + b.length, 0));
        }
      }),
    );
  });
});
