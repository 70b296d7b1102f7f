export * from './options';
export { SYNC, SYNC_REPLY, PROBE, PROBE_REPLY, MAX_ID_LENGTH, MAX_ADDRESS_LENGTH, DROP_REASONS, entrySchema } from './messages';
export { toMember } from './Publisher';
export type { GossipEntry, GossipStatus, DropReason } from './messages';
export type { GossipStats } from './GossipStats';
export * from './GossipMembership';
export * from './SwimFailureDetector';
export * from './plugin';
export * from './bounds';
