import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminUrls,
  CLIENT_TOKEN_FILE,
  LAYOUT_FILE,
  newLayout,
  nodeAddresses,
  readClusterFiles,
  SECRET_FILE,
  writeClusterFiles,
} from './clusterLayout';

function withDir(test: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'dynamis-layout-'));
  try {
    test(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('cluster layout', () => {
  it('names nodes n1..nN with N = min(3, nodes) and W = R = a majority of N', () => {
    expect(newLayout('127.0.0.1', [7001, 7002, 7003]).replication).toEqual({ n: 3, w: 2, r: 2 });
    expect(newLayout('127.0.0.1', [1, 2, 3, 4, 5]).replication).toEqual({ n: 3, w: 2, r: 2 });
    expect(newLayout('127.0.0.1', [1]).replication).toEqual({ n: 1, w: 1, r: 1 });
    expect(newLayout('127.0.0.1', [1, 2]).replication).toEqual({ n: 2, w: 2, r: 2 });
    const layout = newLayout('127.0.0.1', [7001, 7002]);
    expect(layout.nodes).toEqual([
      { id: 'n1', port: 7001 },
      { id: 'n2', port: 7002 },
    ]);
    expect(nodeAddresses(layout)).toEqual(['ws://127.0.0.1:7001', 'ws://127.0.0.1:7002']);
    expect(adminUrls(layout)).toEqual([undefined, undefined]);
    const withAdmin = newLayout('::1', [7001, 7002], undefined, [7101, 7102]);
    expect(withAdmin.nodes).toEqual([
      { id: 'n1', port: 7001, adminPort: 7101 },
      { id: 'n2', port: 7002, adminPort: 7102 },
    ]);
    expect(adminUrls(withAdmin)).toEqual(['http://[::1]:7101/', 'http://[::1]:7102/']);
  });

  it('takes a replication when given (dynamis experiment: W=1 R=1 on three nodes)', () => {
    expect(newLayout('127.0.0.1', [1, 2, 3], { n: 3, w: 1, r: 1 }).replication).toEqual({ n: 3, w: 1, r: 1 });
  });

  it('writes a layout and fresh secrets (mode 0600) that read back unchanged; nothing there reads as undefined', () =>
    withDir((dir) => {
      expect(readClusterFiles(dir)).toBeUndefined();
      const written = writeClusterFiles(join(dir, 'data'), newLayout('127.0.0.1', [7001, 7002, 7003]));
      expect(written.secret).not.toBe(written.clientToken);
      expect(written.secret.length).toBeGreaterThanOrEqual(16);
      expect(statSync(join(dir, 'data', SECRET_FILE)).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'data', CLIENT_TOKEN_FILE)).mode & 0o777).toBe(0o600);
      expect(readClusterFiles(join(dir, 'data'))).toEqual(written);
      const again = writeClusterFiles(join(dir, 'other'), written.layout);
      expect(again.secret).not.toBe(written.secret);
    }));

  it('refuses a malformed layout or secret with INVALID_CONFIG naming the file and the key', () =>
    withDir((dir) => {
      writeClusterFiles(dir, newLayout('127.0.0.1', [7001]));
      const layout = JSON.parse(readFileSync(join(dir, LAYOUT_FILE), 'utf8'));
      writeFileSync(join(dir, LAYOUT_FILE), JSON.stringify({ ...layout, nodes: [{ id: 'n1', port: 70000 }] }));
      expect(() => readClusterFiles(dir)).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(/cluster\.json[\s\S]*nodes\.0\.port/) }),
      );
      writeFileSync(join(dir, LAYOUT_FILE), JSON.stringify({ ...layout, nodes: [{ id: 'n1', port: 7001, adminPort: 0 }] }));
      expect(() => readClusterFiles(dir)).toThrow(/nodes\.0\.adminPort/);
      writeFileSync(join(dir, LAYOUT_FILE), '{');
      expect(() => readClusterFiles(dir)).toThrow(/cluster\.json is not valid JSON/);
      writeFileSync(join(dir, LAYOUT_FILE), JSON.stringify(layout));
      writeFileSync(join(dir, SECRET_FILE), 'short\n');
      expect(() => readClusterFiles(dir)).toThrow(
        expect.objectContaining({
          code: 'INVALID_CONFIG',
          message: expect.stringContaining(`${SECRET_FILE}: the secret must be at least 16`),
        }),
      );
      rmSync(join(dir, CLIENT_TOKEN_FILE));
      writeFileSync(join(dir, SECRET_FILE), 'a-long-enough-secret-0000\n');
      expect(() => readClusterFiles(dir)).toThrow(new RegExp(`cannot read .*${CLIENT_TOKEN_FILE}`));
    }));
});
