export * from './options';
export * from './StaticMembership';
export * from './plugin';
