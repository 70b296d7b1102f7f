import { NodeFileSystem } from '@dynamis/core';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileSystemContract } from '../contracts/fileSystem';

fileSystemContract('NodeFileSystem', () => {
  const root = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'dynamis-fs-'));
  return { fs: new NodeFileSystem(), root, cleanup: async () => nodeFs.rmSync(root, { recursive: true, force: true }) };
});
