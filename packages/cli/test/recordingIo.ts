import type { Io } from '../src/io';

/** An Io that records what a command writes, for tests run in-process. */
export interface RecordingIo extends Io {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exits: number[];
}

/** A RecordingIo in `cwd` with environment `env`; `self` is never run by the commands a test runs in-process. */
export function recordingIo(cwd: string, env: Readonly<Record<string, string | undefined>> = {}): RecordingIo {
  let out = '';
  let err = '';
  const exits: number[] = [];
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env,
    cwd,
    exit: (code) => void exits.push(code),
    self: [process.execPath, '-e', 'process.exit(9)'],
    stdout: () => out,
    stderr: () => err,
    exits,
  };
}
