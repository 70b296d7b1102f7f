import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingIo } from '../../test/recordingIo';
import { runCli } from '../program';

// Refusals happen before any file or process is made. (recordingIo's `self` would start processes that exit 9
// at once, which would turn a refusal the command missed into exit 3 and an error naming a node.)
describe('dynamis cluster refuses bad options with exit 2, creating nothing', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dynamis-cluster-opts-'));
  // --ephemeral makes its directory in the command's TMPDIR: here inside `cwd`, which must stay as it is.
  const tmp = join(cwd, 'tmp');
  mkdirSync(tmp);
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it.each([
    [['--ephemeral', '--data-dir', 'x'], '--ephemeral and --data-dir exclude each other'],
    [['--ephemeral', '--nodes', '0'], '--nodes must be an integer ≥ 1'],
    [['--ephemeral', '--nodes', '65'], '--nodes must be at most 64'],
    [['--ephemeral', '--nodes', 'three'], '--nodes must be an integer'],
    [['--ephemeral', '--base-port', '65534'], '--base-port 65534 leaves no room for 3 ports'],
    [['--ephemeral', '--host', '0.0.0.0'], '--host must be a loopback address'],
    [['--ephemeral', '--resolver', 'crdt'], '--resolver must be vclock or lww'],
    [['--ephemeral', '--log-level', 'loud'], '--log-level must be one of'],
    [['--ephemeral', '--stop-timeout-ms', '0'], '--stop-timeout-ms must be an integer ≥ 1'],
  ])('%j', async (args, message) => {
    const io = recordingIo(cwd, { TMPDIR: tmp });
    expect(await runCli(['cluster', ...args], io)).toBe(2);
    expect(io.stderr()).toContain(`error INVALID_ARGUMENT: ${message}`);
    expect(readdirSync(cwd)).toEqual(['tmp']);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
