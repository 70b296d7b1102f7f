export { VclockResolver, type VclockOptions } from './VclockResolver';
export { encodeContext, decodeContext, encodeVersion, decodeVersion, maxEncodedBytes, type Dvv } from './dvvCodec';
export { vvCovers, vvGet, vvJoin, type VersionVector, type Dot } from './versionVector';
export { vclockResolver, vclockOptionsSchema, type VclockPluginOptions } from './plugin';
