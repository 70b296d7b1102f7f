// @dynamis/testkit: what plugin authors need to prove a plugin.
export * from './contracts';
export * from './sim';
export * from './fs';
export * from './doubles';
