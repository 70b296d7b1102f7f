import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withAdminPorts } from './adminPorts';
import { adminUrls, LAYOUT_FILE, newLayout, readClusterFiles, writeClusterFiles, writeLayout } from './clusterLayout';
import { freePorts } from './freePorts';

function withDir(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dynamis-admin-ports-'));
  return test(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('withAdminPorts', () => {
  it('gives a layout from before admin endpoints one free port per node, distinct from its ports, and persists them', () =>
    withDir(async (dir) => {
      const old = writeClusterFiles(dir, newLayout('127.0.0.1', [7001, 7002, 7003]));
      expect(readFileSync(join(dir, LAYOUT_FILE), 'utf8')).not.toContain('adminPort');
      // The picker offers a port the layout already uses first: it must be skipped.
      const offered = [7002, 9001, 9002, 9003, 9004, 9005];
      const files = await withAdminPorts(old, async (_host, count) => offered.slice(0, count));
      expect(files.layout.nodes.map((n) => n.adminPort)).toEqual([9001, 9002, 9003]);
      expect(files.secret).toBe(old.secret);
      expect(readClusterFiles(dir)).toEqual(files);
      expect(adminUrls(files.layout)).toEqual(['http://127.0.0.1:9001/', 'http://127.0.0.1:9002/', 'http://127.0.0.1:9003/']);
      // Once every node has one, nothing is picked or written again.
      const never = async (): Promise<number[]> => Promise.reject(new Error('picked again'));
      expect(await withAdminPorts(files, never)).toBe(files);
    }));

  it('keeps the admin ports a layout has and fills only the missing ones, with real free ports', () =>
    withDir(async (dir) => {
      const files = writeClusterFiles(dir, newLayout('127.0.0.1', [7001, 7002], undefined, [7101, 7102]));
      const partial = { ...files.layout, nodes: [files.layout.nodes[0]!, { id: 'n2', port: 7002 }] };
      writeLayout(dir, partial);
      const filled = await withAdminPorts({ ...files, layout: partial }, freePorts);
      expect(filled.layout.nodes[0]!.adminPort).toBe(7101);
      const second = filled.layout.nodes[1]!.adminPort!;
      expect([7001, 7002, 7101]).not.toContain(second);
      expect(readClusterFiles(dir)!.layout.nodes[1]!.adminPort).toBe(second);
    }));

  it('fails, writing nothing, when the picker cannot offer enough ports', () =>
    withDir(async (dir) => {
      const old = writeClusterFiles(dir, newLayout('127.0.0.1', [7001]));
      await expect(withAdminPorts(old, async () => [7001])).rejects.toThrow('could not find 1 free ports on 127.0.0.1');
      expect(readClusterFiles(dir)!.layout.nodes[0]!.adminPort).toBeUndefined();
    }));
});
