// @dynamis/transport-ws: the Transport port over WebSocket (ws), with
// authenticated binary frames, request/response, one-way messages and
// credit-controlled streams. Wire format: docs/protocol.md.
export { WsTransport } from './WsTransport';
export { wsTransport } from './plugin';
export { WsClient, wsClientOptionsSchema, type WsClientOptionsInput } from './WsClient';
export { wsTransportOptionsSchema, type WsTransportOptions, type WsTransportOptionsInput } from './options';
export type { WsTransportStats, PeerStats } from './Counters';
export { tlsOptionsSchema, clientTlsOptionsSchema, type TlsOptionsInput } from './tls/tlsOptions';
export { loadTls, type TlsMaterial, type TlsPaths } from './tls/loadTls';
export { createLocalCa, issueCertificate, type CertificatePair, type CertificateRequest } from './tls/localCa';
