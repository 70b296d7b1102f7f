// @dynamis/client: talks to Dynamis nodes over WebSocket (@dynamis/transport-ws):
// put/get/delete/batch and conditional writes, local argument checks, typed
// errors, and retries that never duplicate a write. See README.md.
export { DynamisClient, type GetResult, type UnconditionalWriteOptions } from './DynamisClient';
export { clientOptionsSchema, type ClientOptionsInput, type ClientOptions, type ClientDeps } from './options';
export { wsConnector, provablyNotApplied, type Connector, type Link, type WsConnectorOptions } from './Link';
export { ProcessKeepAlive, type KeepAlive } from './KeepAlive';
export { shouldRetry, backoffMs, type RetryKind, type Backoff } from './retry';
export type { Limits } from '@dynamis/core';
