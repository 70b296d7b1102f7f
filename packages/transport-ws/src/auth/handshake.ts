import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PROOF_BYTES } from '../wire/frameSchema';

/** WebSocket subprotocol of this wire format; a peer offering another is refused. */
export const SUBPROTOCOL = 'dynamis.v1';

/** Upgrade headers (docs/protocol.md, "Handshake"). Lower case, as Node reports them. */
export const Header = {
  role: 'x-dynamis-role',
  id: 'x-dynamis-id',
  nonce: 'x-dynamis-nonce',
  expect: 'x-dynamis-expect',
} as const;

/** Who is connecting: another node (key: the cluster secret) or a client (key: its token). */
export type Role = 'node' | 'client';

/**
 * Largest message either side accepts before the handshake completed: the
 * Auth or AuthOk frame is 38 bytes. ws refuses (1009) anything bigger before
 * buffering it, so an unauthenticated socket never makes the node buffer or
 * decode more than this; the limit rises to maxPayloadBytes on
 * authentication (see Connection).
 */
export const HANDSHAKE_MAX_BYTES = 128;

/** Node ids and client ids: 1–64 characters of [A-Za-z0-9._-]. */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const NONCE_BYTES = 32;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What both proofs of one handshake bind together. */
export interface HandshakeParams {
  readonly role: Role;
  /** The connecting side's id (node id or client id). */
  readonly dialerId: string;
  /** The accepting node's id. */
  readonly acceptorId: string;
  /** base64url, 32 random bytes chosen by the dialer. */
  readonly dialerNonce: string;
  /** base64url, 32 random bytes chosen by the acceptor. */
  readonly acceptorNonce: string;
}

/** A fresh nonce: 32 bytes from the CSPRNG, base64url (43 characters). */
export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64url');
}

/** True for a syntactically valid nonce (43 base64url characters). */
export function isNonce(value: unknown): value is string {
  return typeof value === 'string' && NONCE_PATTERN.test(value);
}

/**
 * The acceptor's proof, sent in its AuthOk frame: HMAC-SHA256 over a label
 * distinct from the dialer's, so neither proof can stand in for the other.
 */
export function acceptorProof(key: string, p: HandshakeParams): Buffer {
  return mac(key, 'dynamis.v1 acceptor', p);
}

/** The dialer's proof, sent as its first frame (Auth). */
export function dialerProof(key: string, p: HandshakeParams): Buffer {
  return mac(key, 'dynamis.v1 dialer', p);
}

/** Constant-time comparison of a received proof with the expected one. */
export function proofMatches(expected: Buffer, received: Uint8Array | undefined): boolean {
  if (received === undefined || received.length !== PROOF_BYTES || expected.length !== PROOF_BYTES) return false;
  return timingSafeEqual(expected, received);
}

function mac(key: string, label: string, p: HandshakeParams): Buffer {
  return createHmac('sha256', key)
    .update(`${label}\n${p.role}\n${p.dialerId}\n${p.acceptorId}\n${p.dialerNonce}\n${p.acceptorNonce}`)
    .digest();
}
