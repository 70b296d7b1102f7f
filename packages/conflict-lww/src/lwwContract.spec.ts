import { conflictResolverContract } from '@dynamis/testkit';
import { encodeHlc } from './hlcVersion';
import { LwwResolver } from './LwwResolver';

conflictResolverContract('LwwResolver', {
  create: () => new LwwResolver({ maxSkewMs: 60_000 }),
  maxSkewMs: 60_000,
  malformed: {
    versions: [Buffer.concat([encodeHlc({ physical: 1, logical: 0, writer: 'a' }), Buffer.alloc(64, 0x61)]), Buffer.from('12345678a b')],
    contexts: [Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0)],
  },
});
