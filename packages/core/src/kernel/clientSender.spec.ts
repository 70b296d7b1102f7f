import { describe, expect, it } from '@jest/globals';
import { CLIENT_SENDER_PREFIX, clientSenderId, isClientSender } from './clientSender';

describe('client senders', () => {
  it('names a client so that isClientSender recognises it, and no node id', () => {
    expect(clientSenderId('app')).toBe(`${CLIENT_SENDER_PREFIX}app`);
    expect(isClientSender(clientSenderId('app'))).toBe(true);
    for (const nodeId of ['n1', 'client', 'client.x', 'clients-1', 'Client-app']) expect(isClientSender(nodeId)).toBe(false);
  });
});
