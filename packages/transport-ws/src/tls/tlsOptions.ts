import { z } from 'zod';

/**
 * The `tls` option of WsTransport (and, without `cert`/`key`/`mutual`, of
 * WsClient): paths of PEM files, read once when the transport is constructed
 * (see loadTls). README "TLS" says how certificates must name the nodes.
 */
export const tlsOptionsSchema = z
  .object({
    cert: z.string().min(1).describe("Path of this node's certificate (PEM; intermediates may follow it in the same file)."),
    key: z.string().min(1).describe('Path of the private key of `cert` (PEM, unencrypted).'),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe("Path of the CA certificate(s) (PEM) that peers' certificates must chain to. Default: Node's built-in roots."),
    mutual: z
      .boolean()
      .default(false)
      .describe(
        'Mutual TLS between nodes: an inbound connection that authenticates as a node must present a certificate that chains to `ca` (else it is refused, 401); clients need none. Requires `ca`.',
      ),
  })
  .strict()
  .refine((t) => !t.mutual || t.ca !== undefined, {
    message: 'mutual TLS needs `ca` (the CA that node certificates chain to)',
    path: ['ca'],
  });

/** The `tls` option as written by a user. */
export type TlsOptionsInput = z.input<typeof tlsOptionsSchema>;

/** The `tls` option of a client: only the CA to verify nodes with (clients authenticate with their token, not a certificate). */
export const clientTlsOptionsSchema = z
  .object({
    ca: z
      .string()
      .min(1)
      .optional()
      .describe("Path of the CA certificate(s) (PEM) the node's certificate must chain to. Default: Node's built-in roots."),
  })
  .strict();
