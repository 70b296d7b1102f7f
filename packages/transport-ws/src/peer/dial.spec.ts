import { describe, expect, it } from '@jest/globals';
import { describeDialError, REFUSED_BY_PEER } from './dial';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('describeDialError', () => {
  it('names a TLS failure and its OpenSSL code', () => {
    expect(describeDialError(withCode('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe(
      'TLS: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    );
    expect(describeDialError(withCode('write EPROTO wrong version number', 'EPROTO'))).toMatch(/^TLS: .*plain ws, not wss/);
  });

  it.each([
    ['401', 'our certificate is not signed by a CA it trusts'],
    ['409', 'the peer has our node id'],
    ['421', 'the address is served by another node'],
    ['400', 'plain ws to a wss port'],
  ])('says what an upgrade refused with HTTP %s means', (status, meaning) => {
    const reason = describeDialError(new Error(`Unexpected server response: ${status}`));
    expect(reason.startsWith(`${REFUSED_BY_PEER} Unexpected server response: ${status} (`)).toBe(true);
    expect(reason).toContain(meaning);
  });

  it('keeps a status it has no meaning for, and any other error, as it is', () => {
    expect(describeDialError(new Error('Unexpected server response: 418'))).toBe(`${REFUSED_BY_PEER} Unexpected server response: 418`);
    expect(describeDialError(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });
});
