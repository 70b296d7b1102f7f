import { DynamisError, type FileSystem, type NodeId } from '@dynamis/core';

/** The file, in the plugin's directory, that keeps this node's joinedAt. */
export const JOINED_AT_FILE = 'joined-at';
const LINE = /^dynamis-gossip-joined-at 1 ([A-Za-z0-9._-]{1,64}) ([0-9]{1,16})\n$/;
const MAX_BYTES = 128;

/**
 * This node's joinedAt: the one stored in `${dir}/joined-at` (one line,
 * `dynamis-gossip-joined-at 1 <nodeId> <ms>\n`, README "Persistence"), else
 * `now` (floored, ≥ 0), stored first — atomically (a temporary file synced,
 * renamed over, the directory synced), so a crash leaves the old file or the
 * new one, never a torn one. Resolves once the value is durable.
 * Throws CORRUPTION for a file that is not that line (or longer than 128
 * bytes), INCOMPATIBLE_DATA when it names another node (the data dir is not
 * this node's), IO_ERROR from the FileSystem.
 */
export async function loadJoinedAt(fs: FileSystem, dir: string, node: NodeId, now: number): Promise<number> {
  const path = `${dir}/${JOINED_AT_FILE}`;
  if (fs.exists(path)) return parse(fs.readFile(path), path, node);
  const joinedAt = Math.max(0, Math.floor(now));
  fs.mkdirp(dir);
  const tmp = `${path}.tmp`;
  const file = fs.create(tmp);
  try {
    file.append(new TextEncoder().encode(`dynamis-gossip-joined-at 1 ${node} ${joinedAt}\n`));
    await file.sync();
  } finally {
    await file.close();
  }
  fs.rename(tmp, path);
  await fs.syncDir(dir);
  return joinedAt;
}

function parse(bytes: Uint8Array, path: string, node: NodeId): number {
  const text = bytes.length > MAX_BYTES ? '' : new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const m = LINE.exec(text);
  const joinedAt = m === null ? NaN : Number(m[2]);
  if (m === null || !Number.isSafeInteger(joinedAt)) {
    throw new DynamisError('CORRUPTION', `${path} is not a gossip joined-at file`, { details: { where: 'gossip joined-at', file: path } });
  }
  if (m[1] !== node) {
    throw new DynamisError('INCOMPATIBLE_DATA', `${path} belongs to node ${m[1]!}, not ${node}: this data dir is another node's`, {
      details: { stored: m[1], expected: node, file: path },
    });
  }
  return joinedAt;
}
