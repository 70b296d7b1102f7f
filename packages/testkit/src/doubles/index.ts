export * from './FixedMembership';
