import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '@dynamis/core';
import { formatAddress, normalizeAddress } from './address';

describe('addresses', () => {
  it.each([
    ['ws://127.0.0.1:7070', 'ws://127.0.0.1:7070'],
    ['ws://127.0.0.1:7070/', 'ws://127.0.0.1:7070'],
    ['10.0.0.2:7070', 'ws://10.0.0.2:7070'],
    ['node-3.local:9000', 'ws://node-3.local:9000'],
    ['[::1]:7070', 'ws://[::1]:7070'],
    ['wss://node-3.local:9000/', 'wss://node-3.local:9000'],
  ])('normalises %s', (input, output) => {
    expect(normalizeAddress(input)).toBe(output);
  });

  it.each([
    ['ws://127.0.0.1:7070', 'wss://127.0.0.1:7070'],
    ['10.0.0.2:7070', 'wss://10.0.0.2:7070'],
    ['wss://[::1]:7070', 'wss://[::1]:7070'],
  ])('a TLS dialer dials %s as %s', (input, output) => {
    expect(normalizeAddress(input, true)).toBe(output);
  });

  it.each(['', 'https://h:1', 'http://h:1', 'wss://h', 'ws://h', 'ws://h:1/path', 'ws://u:p@h:1', 'ws://h:1?x=1', 'not an address'])(
    'rejects %p',
    (input) => {
      expect(() => normalizeAddress(input)).toThrow(DynamisError);
    },
  );

  it('formats IPv6 hosts in brackets', () => {
    expect(formatAddress('::1', 80)).toBe('ws://[::1]:80');
    expect(formatAddress('127.0.0.1', 80)).toBe('ws://127.0.0.1:80');
    expect(formatAddress('::1', 80, true)).toBe('wss://[::1]:80');
  });
});
