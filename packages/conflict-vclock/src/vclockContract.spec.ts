import { conflictResolverContract } from '@dynamis/testkit';
import { CONTEXT_TAG, encodeContext, encodeVersion } from './dvvCodec';
import { VclockResolver } from './VclockResolver';
import type { VersionVector } from './versionVector';

const MAX_ENTRIES = 8;
const wide: VersionVector = Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => [`n${String(i).padStart(2, '0')}`, 1] as const);

conflictResolverContract('VclockResolver', {
  create: () => new VclockResolver({ maxSiblings: 32, maxContextEntries: MAX_ENTRIES }),
  malformed: {
    versions: [
      encodeVersion({ dot: { node: 'a', counter: 1 }, past: wide }),
      encodeVersion({ dot: { node: 'a', counter: 2 }, past: [['a', 2]] }),
      encodeContext([['a', 1]]),
      Uint8Array.of(0xd1, 1, 0x61, 0x80, 0x00, 0),
    ],
    contexts: [
      encodeContext(wide),
      encodeVersion({ dot: { node: 'a', counter: 1 }, past: [] }),
      Uint8Array.of(CONTEXT_TAG, 2, 1, 0x62, 1, 1, 0x61, 1),
      Uint8Array.of(CONTEXT_TAG, 1, 1, 0x61, 0),
      Uint8Array.of(CONTEXT_TAG, 0),
    ],
  },
});
