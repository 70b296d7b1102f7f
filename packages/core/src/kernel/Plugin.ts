import { ContainerModule, type ContainerModuleLoadOptions, type ServiceIdentifier } from 'inversify';
import { isPluginConfigSection, PLUGIN_CONFIG_SECTIONS, type PluginConfigSection } from '../config/configSections';
import type { Lifecycle } from '../ports/Lifecycle';
import { DynamisError } from '../errors/DynamisError';
import { MAX_MESSAGE_TYPE_LENGTH } from '../wire/envelope';
import { isPortName, PORTS, type PortName } from './ports';

/**
 * What a plugin declares about itself; the kernel checks it before loading
 * (after fastify/avvio): the core version range it works with, the ports it
 * provides (binds) and the ports it needs (injects).
 */
export interface PluginManifest {
  /** Package-style name, e.g. '@dynamis/engine-lsm'. Named in every error about it. */
  readonly name: string;
  readonly version: string;
  /** semver range of @dynamis/core this plugin works with, e.g. '^0.1.0'. */
  readonly core: string;
  readonly provides: readonly PortName[];
  readonly needs: readonly PortName[];
  /** Ports used when present (e.g. HintStore for a coordinator). */
  readonly optional?: readonly PortName[];
  /**
   * The plugin-read config sections this plugin reads (`listen`, `seeds`,
   * `replication`; see config/configSections.ts). createNode refuses a config
   * that sets a section no plugin of the node reads (INVALID_CONFIG naming it).
   */
  readonly reads?: readonly PluginConfigSection[];
  /**
   * The message types this plugin registers with the MessageRouter. While the
   * plugin is not started (or after it stopped) they are answered with a
   * retryable UNAVAILABLE (`notStarted: true, applied: false`) instead of
   * PROTOCOL_ERROR "unknown message type". Two plugins may not declare one type.
   */
  readonly messages?: readonly string[];
}

/**
 * A plugin: a manifest plus an inversify ContainerModule that binds exactly
 * the ports in `provides` (singleton scope). Services it provides that
 * implement Lifecycle are started in dependency order and stopped in reverse.
 */
export interface Plugin extends PluginManifest {
  readonly module: ContainerModule;
  /**
   * Extra services this plugin binds (under its own tokens) that the kernel
   * starts after the provided ports and stops before them: background work
   * that no port exposes (a delivery loop, a repair scheduler).
   */
  readonly background?: readonly ServiceIdentifier<Lifecycle>[];
}

export interface PluginDefinition extends PluginManifest {
  /** Binds the provided ports. Use `options.bind(Token).to(Class).inSingletonScope()`. */
  readonly register: (options: ContainerModuleLoadOptions) => void;
  /** See Plugin.background. */
  readonly background?: readonly ServiceIdentifier<Lifecycle>[];
}

/**
 * Builds a plugin from its definition, checking the manifest: a non-empty
 * name, known port names and config sections, and no port both provided and needed.
 * Throws INCOMPATIBLE_PLUGIN on a bad manifest.
 */
export function definePlugin(def: PluginDefinition): Plugin {
  const problems: string[] = [];
  if (!def.name) problems.push('name is empty');
  for (const port of [...def.provides, ...def.needs, ...(def.optional ?? [])]) {
    if (!isPortName(port)) problems.push(`unknown port '${String(port)}' (known: ${Object.keys(PORTS).join(', ')})`);
  }
  for (const section of def.reads ?? []) {
    if (!isPluginConfigSection(section))
      problems.push(`unknown config section '${String(section)}' in reads (known: ${PLUGIN_CONFIG_SECTIONS.join(', ')})`);
  }
  const messages = def.messages ?? [];
  for (const type of messages) {
    if (typeof type !== 'string' || type.length === 0 || type.length > MAX_MESSAGE_TYPE_LENGTH)
      problems.push(`message type ${JSON.stringify(type)} must be 1–${MAX_MESSAGE_TYPE_LENGTH} characters`);
  }
  if (new Set(messages).size !== messages.length) problems.push('a message type is listed twice in messages');
  for (const port of def.provides) {
    if (def.needs.includes(port)) problems.push(`port ${port} is both provided and needed`);
    if (PORTS[port]?.builtin === 'kernel') problems.push(`port ${port} is provided by the kernel only`);
  }
  if (problems.length > 0) {
    throw new DynamisError('INCOMPATIBLE_PLUGIN', `Plugin ${def.name || '(unnamed)'} has a bad manifest: ${problems.join('; ')}`, {
      details: { plugin: def.name, problems },
    });
  }
  const { register, ...manifest } = def;
  return { ...manifest, module: new ContainerModule((options) => register(options)) };
}
