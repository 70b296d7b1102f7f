import { writeLayout, type ClusterFiles } from './clusterLayout';
import { freePorts } from './freePorts';

/**
 * `files` with an admin port for every node. A layout that has them all is
 * returned as it is; otherwise ports free on its host now (`pick`, default
 * freePorts), distinct from every port the layout already uses, are given to
 * the nodes without one and the layout is written back to its directory, so
 * a cluster made before admin endpoints existed gets them on its next start
 * and keeps them. Throws what `pick` or writing the file throws.
 */
export async function withAdminPorts(files: ClusterFiles, pick: typeof freePorts = freePorts): Promise<ClusterFiles> {
  const { layout } = files;
  const missing = layout.nodes.filter((n) => n.adminPort === undefined).length;
  if (missing === 0) return files;
  const taken = new Set(layout.nodes.flatMap((n) => (n.adminPort === undefined ? [n.port] : [n.port, n.adminPort])));
  const fresh = (await pick(layout.host, missing + taken.size)).filter((p) => !taken.has(p)).slice(0, missing);
  if (fresh.length < missing) throw new Error(`could not find ${missing} free ports on ${layout.host}`);
  const nodes = layout.nodes.map((n) => (n.adminPort === undefined ? { ...n, adminPort: fresh.shift()! } : n));
  const updated = { ...layout, nodes };
  writeLayout(files.dir, updated);
  return { ...files, layout: updated };
}
