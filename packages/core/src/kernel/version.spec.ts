import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_VERSION } from './version';

describe('CORE_VERSION', () => {
  it('equals the package version', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(CORE_VERSION).toBe(pkg.version);
  });
});
