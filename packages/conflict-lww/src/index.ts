export { LwwResolver, type LwwOptions } from './LwwResolver';
export { encodeHlc, decodeHlc, compareHlc, type Hlc } from './hlcVersion';
export { lwwResolver, lwwOptionsSchema, type LwwPluginOptions } from './plugin';
