import semver from 'semver';
import { DynamisError } from '../errors/DynamisError';
import { CLIENT_MESSAGE } from './clientProtocol';
import type { Plugin } from './Plugin';
import { REPLICA_MESSAGE } from '../replica/replicaProtocol';
import { PORTS, type PortName } from './ports';
import { CORE_VERSION } from './version';

/** One thing the kernel starts: a plugin, or one of the kernel's own services. */
export interface Unit {
  readonly name: string;
  readonly provides: readonly PortName[];
  readonly needs: readonly PortName[];
  readonly optional: readonly PortName[];
  /** Message types this unit serves (declared with the MessageRouter at composition). */
  readonly messages?: readonly string[];
  readonly plugin?: Plugin;
}

const KERNEL_UNITS: readonly Unit[] = [
  { name: '@dynamis/core:config', provides: ['Config'], needs: [], optional: [] },
  { name: '@dynamis/core:router', provides: ['MessageRouter'], needs: [], optional: [] },
  {
    name: '@dynamis/core:replica',
    provides: ['Replica'],
    needs: ['StorageEngine', 'ConflictResolver', 'Clock', 'Config', 'Logger'],
    optional: ['Partitioner'],
  },
  { name: '@dynamis/core:store', provides: ['Store'], needs: ['Coordinator', 'Config'], optional: [] },
  // Active only when a plugin provides Transport (see planComposition). Needs the
  // Transport so that it starts after it and stops (draining) before it.
  {
    name: '@dynamis/core:client-api',
    provides: ['ClientApi'],
    needs: ['Store', 'MessageRouter', 'Transport', 'Config', 'Clock', 'Logger'],
    optional: ['ConflictResolver'],
    messages: Object.values(CLIENT_MESSAGE),
  },
  // Works without a Transport (calls to this node only); after it when there is one.
  { name: '@dynamis/core:peer-rpc', provides: ['PeerRpc'], needs: ['MessageRouter', 'Clock', 'Config'], optional: ['Transport'] },
  // Active only when a plugin provides Transport, like the client API.
  {
    name: '@dynamis/core:replica-protocol',
    provides: ['ReplicaService'],
    needs: ['Replica', 'MessageRouter', 'Transport', 'Config'],
    optional: [],
    messages: Object.values(REPLICA_MESSAGE),
  },
  {
    name: '@dynamis/core:replica-client',
    provides: ['ReplicaClient'],
    needs: ['PeerRpc', 'ConflictResolver', 'Clock', 'Config'],
    optional: [],
  },
  // Active only when plugins provide both Membership and Transport (see planComposition).
  { name: '@dynamis/core:peer-address-sync', provides: ['PeerAddressSync'], needs: ['Membership', 'Transport', 'Logger'], optional: [] },
];

export const ENV_UNIT_NAME = '@dynamis/core:env';

/**
 * Decides which units run and in what order, or throws the composition
 * error. The kernel's client API unit (ClientApi) runs only when some plugin
 * provides Transport; its replica protocol unit (ReplicaService) only when
 * plugins provide Transport, StorageEngine and ConflictResolver; its peer
 * address sync (PeerAddressSync) only when plugins provide Membership and
 * Transport. Errors: INCOMPATIBLE_PLUGIN (duplicate name, core version out of range,
 * dependency cycle), DUPLICATE_PROVIDER (two plugins provide one port),
 * MISSING_PROVIDER (a needed port nobody provides; every missing port is
 * listed, with who needs it and which packages of this repository provide it).
 * Pure: no container, no I/O.
 */
export function planComposition(plugins: readonly Plugin[]): Unit[] {
  checkPlugins(plugins);
  const pluginUnits: Unit[] = plugins.map((p) => ({
    name: p.name,
    provides: p.provides,
    needs: p.needs,
    optional: p.optional ?? [],
    messages: p.messages ?? [],
    plugin: p,
  }));
  const provider = new Map<PortName, Unit>();
  for (const unit of pluginUnits) {
    for (const port of unit.provides) {
      const other = provider.get(port);
      if (other !== undefined) {
        throw new DynamisError('DUPLICATE_PROVIDER', `Port ${port} is provided by both ${other.name} and ${unit.name}; keep one of them`, {
          details: { port, providers: [other.name, unit.name] },
        });
      }
      provider.set(port, unit);
    }
  }
  const defaults = (Object.keys(PORTS) as PortName[]).filter((p) => PORTS[p].builtin === 'default' && !provider.has(p));
  const envUnit: Unit = { name: ENV_UNIT_NAME, provides: defaults, needs: ['Config'], optional: [] };
  for (const unit of [...KERNEL_UNITS, envUnit]) for (const port of unit.provides) provider.set(port, unit);

  const active = new Set<Unit>([...pluginUnits, envUnit, KERNEL_UNITS[0]!, KERNEL_UNITS[1]!]);
  const neededBy = new Map<PortName, Set<string>>([['Store', new Set(['the node (public store API)'])]]);
  const roots: PortName[] = ['Store'];
  if (pluginUnits.some((u) => u.provides.includes('Transport'))) {
    roots.push('ClientApi');
    addNeed(neededBy, 'ClientApi', 'the node (client API over the Transport)');
  }
  // The replica protocol serves this node's data: active when it has a Transport and data (an engine and a resolver).
  const provided = (port: PortName): boolean => pluginUnits.some((u) => u.provides.includes(port));
  if (provided('Transport') && provided('StorageEngine') && provided('ConflictResolver')) {
    roots.push('ReplicaService');
    addNeed(neededBy, 'ReplicaService', 'the node (replica protocol over the Transport)');
  }
  if (provided('Transport') && provided('Membership')) {
    roots.push('PeerAddressSync');
    addNeed(neededBy, 'PeerAddressSync', 'the node (peer addresses from Membership)');
  }
  const queue: PortName[] = [...roots, ...pluginUnits.flatMap((u) => u.needs), ...envUnit.needs];
  for (const u of pluginUnits) for (const p of u.needs) addNeed(neededBy, p, u.name);
  const missing: PortName[] = [];
  const seen = new Set<PortName>();
  while (queue.length > 0) {
    const port = queue.shift()!;
    if (seen.has(port)) continue;
    seen.add(port);
    const unit = provider.get(port);
    if (unit === undefined) {
      missing.push(port);
      continue;
    }
    if (!active.has(unit)) active.add(unit);
    for (const need of unit.needs) {
      addNeed(neededBy, need, unit.name);
      queue.push(need);
    }
  }
  if (missing.length > 0) throw missingProviders(missing, neededBy);
  return startEarly(order([...active], provider), provider, 'PeerAddressSync');
}

/**
 * Moves the unit providing `port` (when active) to just after the last
 * provider of what it needs: still a valid order, since it provides only
 * `port` and nothing here needs it. PeerAddressSync goes there so the
 * Transport knows every member's address before any later unit starts;
 * otherwise Membership probes sent while a slow unit (a coordinator building
 * its ring, an engine recovering) starts fail as "unknown peer" and a live
 * peer is marked down before a probe could reach it.
 */
function startEarly(units: Unit[], provider: Map<PortName, Unit>, port: PortName): Unit[] {
  const unit = provider.get(port);
  const from = unit === undefined ? -1 : units.indexOf(unit);
  if (unit === undefined || from < 0) return units;
  const rest = units.filter((u) => u !== unit);
  const after = Math.max(-1, ...unit.needs.map((need) => rest.indexOf(provider.get(need)!)));
  rest.splice(after + 1, 0, unit);
  return rest;
}

function addNeed(neededBy: Map<PortName, Set<string>>, port: PortName, who: string): void {
  const set = neededBy.get(port) ?? new Set<string>();
  set.add(who);
  neededBy.set(port, set);
}

function checkPlugins(plugins: readonly Plugin[]): void {
  const names = new Set<string>();
  for (const p of plugins) {
    if (names.has(p.name))
      throw new DynamisError('INCOMPATIBLE_PLUGIN', `Plugin ${p.name} is listed twice`, { details: { plugin: p.name } });
    names.add(p.name);
    if (!semver.validRange(p.core) || !semver.satisfies(CORE_VERSION, p.core)) {
      throw new DynamisError('INCOMPATIBLE_PLUGIN', `Plugin ${p.name} needs @dynamis/core ${p.core}, but this is ${CORE_VERSION}`, {
        details: { plugin: p.name, needs: p.core, core: CORE_VERSION },
      });
    }
  }
}

function missingProviders(missing: PortName[], neededBy: Map<PortName, Set<string>>): DynamisError {
  const lines = missing.map((port) => {
    const who = [...(neededBy.get(port) ?? [])].join(', ');
    const { providers } = PORTS[port];
    const by = providers.length > 0 ? `provided by: ${providers.join(', ')}` : 'no package of this repository provides it';
    return `  - ${port} (${PORTS[port].description}), needed by ${who}; ${by}`;
  });
  return new DynamisError(
    'MISSING_PROVIDER',
    `No plugin provides ${missing.length === 1 ? 'port' : 'ports'} ${missing.join(', ')}:\n${lines.join('\n')}`,
    {
      details: {
        ports: missing,
        providers: Object.fromEntries(missing.map((p) => [p, PORTS[p].providers])),
      },
    },
  );
}

/** Topological order (a unit after every provider it needs), stable in input order. */
function order(units: Unit[], provider: Map<PortName, Unit>): Unit[] {
  const out: Unit[] = [];
  const state = new Map<Unit, 'visiting' | 'done'>();
  const visit = (unit: Unit, path: string[]): void => {
    const s = state.get(unit);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new DynamisError('INCOMPATIBLE_PLUGIN', `Dependency cycle: ${[...path, unit.name].join(' → ')}`, {
        details: { cycle: [...path, unit.name] },
      });
    }
    state.set(unit, 'visiting');
    for (const port of [...unit.needs, ...unit.optional]) {
      const dep = provider.get(port);
      if (dep !== undefined && dep !== unit && units.includes(dep)) visit(dep, [...path, unit.name]);
    }
    state.set(unit, 'done');
    out.push(unit);
  };
  for (const unit of units) visit(unit, []);
  return out;
}
