import type { ServiceIdentifier } from 'inversify';
import { AntiEntropyToken } from '../ports/AntiEntropy';
import { ClockToken } from '../ports/Clock';
import { ConflictResolverToken } from '../ports/ConflictResolver';
import { CoordinatorToken } from '../ports/Coordinator';
import { FailureDetectorToken } from '../ports/FailureDetector';
import { FileSystemToken } from '../ports/FileSystem';
import { HintStoreToken } from '../ports/HintStore';
import { LoggerToken } from '../ports/Logger';
import { MembershipToken } from '../ports/Membership';
import { PartitionerToken } from '../ports/Partitioner';
import { RandomToken } from '../ports/Random';
import { RebalancerToken } from '../ports/Rebalancer';
import { StorageEngineToken } from '../ports/StorageEngine';
import { TransportToken } from '../ports/Transport';
import { ConfigToken } from '../config/parseConfig';
import { MessageRouterToken } from './MessageRouter';
import { ReplicaToken } from '../replica/Replica';
import { StoreToken } from './Store';
import { ClientApiToken } from './ClientApi';
import { PeerRpcToken } from './PeerRpc';
import { PeerAddressSyncToken } from './PeerAddressSync';
import { ReplicaClientToken } from '../replica/ReplicaClient';
import { ReplicaServiceToken } from '../replica/ReplicaService';

/** What the kernel knows of one port: its token and who can provide it. */
export interface PortInfo {
  readonly token: ServiceIdentifier<unknown>;
  readonly description: string;
  /** Packages of this repository that provide it (named in MISSING_PROVIDER errors); packages/core/test/architecture.int.spec.ts checks they exist. */
  readonly providers: readonly string[];
  /** 'kernel': always provided by core; 'default': core provides one unless a plugin does. */
  readonly builtin?: 'kernel' | 'default';
}

/**
 * The port catalogue. Plugin manifests name ports by these keys, so errors can
 * say which port is missing and which packages provide it.
 */
export type PortName =
  | 'StorageEngine'
  | 'ConflictResolver'
  | 'Coordinator'
  | 'Partitioner'
  | 'Transport'
  | 'Membership'
  | 'FailureDetector'
  | 'HintStore'
  | 'AntiEntropy'
  | 'Rebalancer'
  | 'Clock'
  | 'Random'
  | 'FileSystem'
  | 'Logger'
  | 'Config'
  | 'MessageRouter'
  | 'Replica'
  | 'Store'
  | 'ClientApi'
  | 'PeerRpc'
  | 'ReplicaService'
  | 'ReplicaClient'
  | 'PeerAddressSync';

export const PORTS: Readonly<Record<PortName, PortInfo>> = {
  StorageEngine: {
    token: StorageEngineToken,
    description: 'ordered bytes → bytes storage',
    providers: ['@dynamis/engine-lsm', '@dynamis/engine-memory'],
  },
  ConflictResolver: {
    token: ConflictResolverToken,
    description: 'versions and sibling reconciliation',
    providers: ['@dynamis/conflict-lww', '@dynamis/conflict-vclock'],
  },
  Coordinator: {
    token: CoordinatorToken,
    description: 'replication and consistency strategy',
    providers: ['@dynamis/coordinator-local', '@dynamis/quorum'],
  },
  Partitioner: { token: PartitionerToken, description: 'key → replicas placement', providers: ['@dynamis/ring'] },
  Transport: {
    token: TransportToken,
    description: 'node-to-node messages',
    providers: ['@dynamis/transport-ws', '@dynamis/testkit (simulated network)'],
  },
  Membership: {
    token: MembershipToken,
    description: 'cluster membership',
    providers: ['@dynamis/membership-static', '@dynamis/gossip'],
  },
  FailureDetector: { token: FailureDetectorToken, description: 'liveness of peers', providers: ['@dynamis/gossip'] },
  HintStore: {
    token: HintStoreToken,
    description: 'durable hints for hinted handoff',
    providers: ['@dynamis/hinted-handoff'],
  },
  AntiEntropy: { token: AntiEntropyToken, description: 'Merkle-tree replica repair', providers: ['@dynamis/anti-entropy'] },
  Rebalancer: {
    token: RebalancerToken,
    description: 'partition streaming on join/leave and routing while it runs',
    providers: ['@dynamis/rebalance'],
  },
  Clock: {
    token: ClockToken,
    description: 'time and timers',
    providers: ['@dynamis/core (system clock)', '@dynamis/testkit (virtual clock)'],
    builtin: 'default',
  },
  Random: {
    token: RandomToken,
    description: 'random numbers',
    providers: ['@dynamis/core (system random)', '@dynamis/testkit (seeded)'],
    builtin: 'default',
  },
  FileSystem: {
    token: FileSystemToken,
    description: 'file access for engines',
    providers: ['@dynamis/core (node:fs)', '@dynamis/testkit (memory, faulty)'],
    builtin: 'default',
  },
  Logger: { token: LoggerToken, description: 'structured logs', providers: ['@dynamis/core (console)'], builtin: 'default' },
  Config: { token: ConfigToken, description: 'the validated node config', providers: ['@dynamis/core'], builtin: 'kernel' },
  MessageRouter: {
    token: MessageRouterToken,
    description: 'typed, validated message dispatch',
    providers: ['@dynamis/core'],
    builtin: 'kernel',
  },
  Replica: { token: ReplicaToken, description: 'local versioned records over the engine', providers: ['@dynamis/core'], builtin: 'kernel' },
  Store: { token: StoreToken, description: 'the validated public store API', providers: ['@dynamis/core'], builtin: 'kernel' },
  ClientApi: {
    token: ClientApiToken,
    description: 'the client protocol over the Transport (active when a plugin provides Transport)',
    providers: ['@dynamis/core'],
    builtin: 'kernel',
  },
  PeerRpc: {
    token: PeerRpcToken,
    description: 'validated node-to-node requests, to peers over the Transport and to this node locally',
    providers: ['@dynamis/core'],
    builtin: 'kernel',
  },
  ReplicaService: {
    token: ReplicaServiceToken,
    description: 'serves the replica protocol (active when a plugin provides Transport)',
    providers: ['@dynamis/core'],
    builtin: 'kernel',
  },
  ReplicaClient: {
    token: ReplicaClientToken,
    description: "typed calls to a node's replica over PeerRpc",
    providers: ['@dynamis/core'],
    builtin: 'kernel',
  },
  PeerAddressSync: {
    token: PeerAddressSyncToken,
    description: "keeps the Transport's peer addresses in step with Membership (active when plugins provide both)",
    providers: ['@dynamis/core'],
    builtin: 'kernel',
  },
};

export function isPortName(name: string): name is PortName {
  return Object.prototype.hasOwnProperty.call(PORTS, name);
}
