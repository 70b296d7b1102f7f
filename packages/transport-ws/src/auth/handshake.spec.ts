import { describe, expect, it } from '@jest/globals';
import { acceptorProof, dialerProof, isNonce, newNonce, proofMatches, type HandshakeParams } from './handshake';

const params: HandshakeParams = { role: 'node', dialerId: 'a', acceptorId: 'b', dialerNonce: newNonce(), acceptorNonce: newNonce() };

describe('handshake proofs', () => {
  it('makes fresh, well-formed nonces', () => {
    const n = newNonce();
    expect(isNonce(n)).toBe(true);
    expect(n).not.toBe(newNonce());
    expect(isNonce('short')).toBe(false);
    expect(isNonce(n.slice(0, 42) + '+')).toBe(false);
  });

  it('binds the key, the direction, the role, both ids and both nonces', () => {
    const base = dialerProof('secret-secret-secret', params).toString('hex');
    const variants = [
      dialerProof('other-secret-secret!', params),
      acceptorProof('secret-secret-secret', params),
      dialerProof('secret-secret-secret', { ...params, role: 'client' }),
      dialerProof('secret-secret-secret', { ...params, dialerId: 'c' }),
      dialerProof('secret-secret-secret', { ...params, acceptorId: 'c' }),
      dialerProof('secret-secret-secret', { ...params, dialerNonce: newNonce() }),
      dialerProof('secret-secret-secret', { ...params, acceptorNonce: newNonce() }),
      dialerProof('secret-secret-secret', { ...params, dialerId: 'a\nb', acceptorId: '' }),
    ];
    for (const v of variants) expect(v.toString('hex')).not.toBe(base);
    expect(dialerProof('secret-secret-secret', params).toString('hex')).toBe(base);
  });

  it('compares proofs in constant time, rejecting a missing or short one', () => {
    const p = dialerProof('k', params);
    expect(proofMatches(p, Uint8Array.from(p))).toBe(true);
    expect(proofMatches(p, undefined)).toBe(false);
    expect(proofMatches(p, p.subarray(0, 31))).toBe(false);
    expect(proofMatches(p, Buffer.alloc(32))).toBe(false);
  });
});
