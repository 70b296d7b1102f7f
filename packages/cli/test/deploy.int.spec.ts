import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// yaml: in node_modules through the workspace's tooling (lerna); only this test reads YAML.
import { parse, parseAllDocuments } from 'yaml';
import { startConfigProblem } from './docsCommands';

/**
 * The deployment files (docs/deploy.md) cannot be run here (no Docker daemon,
 * no Kubernetes cluster); this checks what can be: the image's ENTRYPOINT is
 * the `dynamis` bin's `start`, and every node's flags — the Dockerfile's CMD,
 * each docker-compose service, each StatefulSet pod (its ordinal's name put
 * in for $(POD_NAME)) — parse with the real CLI and make a config every
 * schema accepts; the seeds name every node at an address that resolves there
 * (compose service names, the headless Service's pod names), each node's own
 * entry included; the data dir is the mounted volume; secrets come from the
 * environment, and the probes hit the admin endpoint the flags open.
 */
const root = join(__dirname, '../../..');
const read = (f: string): string => readFileSync(join(root, f), 'utf8');
type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The JSON-array (exec form) value of a Dockerfile instruction. */
function dockerfileArray(text: string, instruction: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`${instruction} `));
  if (line === undefined) throw new Error(`Dockerfile: no ${instruction}`);
  return JSON.parse(line.slice(instruction.length + 1)) as string[];
}

/** The value after `flag` in `args` (the first one), or undefined. */
const flagValue = (args: readonly string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};
const peersOf = (args: readonly string[]): string[] => args.flatMap((a, i) => (a === '--peer' ? [args[i + 1]!] : []));

const dockerfile = read('Dockerfile');
const entrypoint = dockerfileArray(dockerfile, 'ENTRYPOINT');
const compose = parse(read('docker-compose.yml'), { merge: true }) as Yaml; // compose supports YAML merge keys (<<)
const k8s = ['secret.yaml', 'service.yaml', 'statefulset.yaml'].flatMap((f) =>
  parseAllDocuments(read(`deploy/k8s/${f}`)).map((d) => d.toJS() as Yaml),
);
const kind = (k: string): Yaml[] => k8s.filter((d) => d.kind === k);

/** Every node's id, flags and where its seeds must point: [id, args, seed address of each node by id]. */
function composeNodes(): [string, string[]][] {
  return Object.entries(compose.services as Record<string, Yaml>).map(([name, s]) => [name, s.command as string[]]);
}

function statefulSetNodes(): [string, string[]][] {
  const sts = kind('StatefulSet')[0]!;
  const args = sts.spec.template.spec.containers[0].args as string[];
  return Array.from({ length: sts.spec.replicas as number }, (_, i) => {
    const pod = `${sts.metadata.name}-${i}`;
    return [pod, args.map((a) => a.split('$(POD_NAME)').join(pod))];
  });
}

describe('deployment files', () => {
  it('the image runs the dynamis bin’s start command, whose default flags make a valid one-node config', async () => {
    const bin = (JSON.parse(read('packages/cli/package.json')) as { bin: Record<string, string> }).bin.dynamis!;
    expect(entrypoint).toEqual(['node', join('packages/cli', bin), 'start']);
    expect(existsSync(join(root, 'packages/cli', bin))).toBe(true);
    const cmd = dockerfileArray(dockerfile, 'CMD');
    expect(await startConfigProblem(cmd)).toBeUndefined();
    expect(flagValue(cmd, '--data-dir')).toBe('/data');
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toMatch(/^FROM node:20-slim/m);
  });

  it('catches a wrong flag, a bad value and a bad seed (the check can fail)', async () => {
    expect(await startConfigProblem(['--node-id', 'n1', '--bogus'])).toMatch(/bogus/);
    expect(await startConfigProblem(['--engine', 'rocks'])).toMatch(/engine/);
    expect(await startConfigProblem(['--coordinator', 'quorum', '--peer', 'n1@host'])).toMatch(/n1@host/);
    expect(await startConfigProblem(['--coordinator', 'quorum', '--peer', 'n1@a:1', '--peer', 'n1@b:1'])).toMatch(/n1 is listed twice/);
    expect(await startConfigProblem(['--membership', 'gossip', '--engine', 'memory'])).toMatch(/membership/);
  });

  it.each([
    ['docker-compose.yml', composeNodes, (id: string) => `${id}:7070`],
    ['deploy/k8s/statefulset.yaml', statefulSetNodes, (id: string) => `${id}.${kind('StatefulSet')[0]!.spec.serviceName}:7070`],
  ])(
    '%s: every node’s flags make a valid config, its id unique, the seeds every node at its resolvable name',
    async (_f, nodes, address) => {
      const list = nodes();
      expect(list).toHaveLength(3);
      for (const [id, args] of list) {
        expect({ id, problem: await startConfigProblem(args) }).toEqual({ id, problem: undefined });
        expect(flagValue(args, '--node-id')).toBe(id);
        expect(flagValue(args, '--data-dir')).toBe('/data');
        expect(flagValue(args, '--port')).toBe('7070');
        expect(flagValue(args, '--admin')).toBe('127.0.0.1:7080');
        expect(peersOf(args).sort()).toEqual(list.map(([other]) => `${other}@${address(other)}`).sort());
      }
    },
  );

  it('docker-compose: secrets from the environment, a volume on /data, the health check on the admin endpoint', () => {
    for (const [name, s] of Object.entries(compose.services as Record<string, Yaml>)) {
      expect({ name, env: Object.keys(s.environment).sort() }).toEqual({ name, env: ['DYNAMIS_CLIENT_TOKEN', 'DYNAMIS_SECRET'] });
      expect(s.environment.DYNAMIS_SECRET).toMatch(/^\$\{DYNAMIS_SECRET:\?/);
      expect(s.volumes).toEqual([`${name}-data:/data`]);
      expect(Object.keys(compose.volumes)).toContain(`${name}-data`);
      expect(s.healthcheck.test.join(' ')).toContain('http://127.0.0.1:7080/health');
    }
  });

  it('k8s: a headless Service for the seeds, the Secret the pods read, a volume claim on /data, readiness on /health', () => {
    const sts = kind('StatefulSet')[0]!;
    const headless = kind('Service').find((s) => s.metadata.name === sts.spec.serviceName)!;
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.selector).toEqual(sts.spec.template.metadata.labels);
    const container = sts.spec.template.spec.containers[0];
    const secret = kind('Secret')[0]!;
    const refs = (container.env as Yaml[]).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : []));
    expect(refs.map((r) => r.name)).toEqual([secret.metadata.name, secret.metadata.name]);
    for (const r of refs) expect(Object.keys(secret.stringData)).toContain(r.key);
    expect((container.env as Yaml[]).find((e) => e.name === 'POD_NAME')!.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    const claim = sts.spec.volumeClaimTemplates[0].metadata.name;
    expect(container.volumeMounts).toEqual([{ name: claim, mountPath: '/data' }]);
    expect(container.readinessProbe.exec.command.join(' ')).toContain('http://127.0.0.1:7080/health');
  });
});
