import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '../errors/DynamisError';
import { fromWireError, toWireError } from './wireError';

describe('wire errors', () => {
  it('keeps a DynamisError code, message and plain details', () => {
    const wire = toWireError(new DynamisError('CONFLICT', 'mismatch', { details: { key: 'k', n: [1] } }), 'ctx');
    expect(wire).toEqual({ code: 'CONFLICT', message: 'mismatch', details: { key: 'k', n: [1] } });
    const back = fromWireError(wire);
    expect(back).toBeInstanceOf(DynamisError);
    expect([back.code, back.message, back.details]).toEqual(['CONFLICT', 'mismatch', { key: 'k', n: [1] }]);
  });

  it('drops details the wire cannot carry, and turns other errors into UNAVAILABLE without a stack', () => {
    expect(toWireError(new DynamisError('IO_ERROR', 'x', { details: { at: new Date() } }), 'ctx').details).toEqual({});
    const wire = toWireError(new TypeError('boom'), 'handler failed');
    expect(wire).toEqual({ code: 'UNAVAILABLE', message: 'handler failed: boom', details: {} });
  });

  it('maps an unknown code to PROTOCOL_ERROR', () => {
    expect(fromWireError({ code: 'MADE_UP', message: 'm', details: {} }).code).toBe('PROTOCOL_ERROR');
  });
});
