import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import type { Clock } from '@dynamis/core';

/** Where libfaketime lives on Debian (`apt-get install faketime`). */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** Whether clock skew can be applied to a node process (libfaketime is installed). */
export function faketimeAvailable(): boolean {
  return existsSync(LIBFAKETIME);
}

/**
 * The environment that runs a process with its wall clock `skewMs` off
 * (libfaketime through LD_PRELOAD; {} for 0). The monotonic clock is left
 * alone, so timers and timeouts are unaffected.
 */
export function faketimeEnv(skewMs: number): Record<string, string> {
  if (skewMs === 0) return {};
  return {
    LD_PRELOAD: LIBFAKETIME,
    FAKETIME: `${skewMs >= 0 ? '+' : '-'}${(Math.abs(skewMs) / 1000).toFixed(3)}s`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

/** How to run one node: the command (argv) and extra environment. */
export interface NodeCommand {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/**
 * One `dynamis-server` process inside a network namespace (`ip netns exec`,
 * which execs the command: the child's pid is the node's, so signals reach
 * it directly). Output goes to `logFile`; the last 16 KiB stay in memory for
 * error messages.
 */
export class NodeProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private tail = '';
  private readonly log: WriteStream;
  /** The clock offset (ms) the running process was started with, 0 for none. */
  skewMs = 0;
  paused = false;

  constructor(
    readonly id: string,
    private readonly ns: string,
    private readonly command: NodeCommand,
    logFile: string,
    private readonly clock: Clock,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Starts the node with its clock `skewMs` off (libfaketime; 0: the real
   * clock) and resolves once it prints its listening line; rejects with its
   * output if it exits first or stays silent for `timeoutMs`.
   */
  async start(skewMs: number, timeoutMs: number): Promise<void> {
    if (this.child !== undefined) throw new Error(`${this.id} is already running`);
    const env: Record<string, string | undefined> = { ...process.env, ...this.command.env, ...faketimeEnv(skewMs) };
    const child = spawn('ip', ['netns', 'exec', this.ns, ...this.command.argv], {
      cwd: this.command.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.skewMs = skewMs;
    this.paused = false;
    this.log.write(`--- start ${this.id} skew ${skewMs} ms\n`);
    let out = '';
    const onData = (d: Buffer): void => {
      this.log.write(d);
      this.tail = (this.tail + d.toString()).slice(-16_384);
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.log.write(`--- ${this.id} exited ${code ?? signal}\n`);
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimer(timeoutMs, () => done(new Error(`no listening line after ${timeoutMs} ms`)));
      const done = (err?: Error): void => {
        timer.cancel();
        child.stdout!.off('data', watch);
        if (err === undefined) resolve();
        else {
          this.kill9();
          reject(new Error(`${this.id}: ${err.message}\n${this.tail}`));
        }
      };
      const watch = (d: Buffer): void => {
        out += d.toString();
        if (/listening on wss?:\/\//.test(out)) done();
      };
      child.stdout!.on('data', watch);
      void this.exited.then(() => done(new Error('exited before listening')));
    });
  }

  /** SIGKILL (no shutdown, no flush); resolves once the process is gone. */
  async kill(): Promise<void> {
    this.kill9();
    await this.exited;
  }

  /** Sends SIGKILL now, without waiting (for exit handlers too). */
  kill9(): void {
    if (this.child !== undefined && this.child.exitCode === null) this.child.kill('SIGKILL');
    this.paused = false;
  }

  /** SIGSTOP: the process freezes, its sockets stay open. */
  pause(): void {
    if (this.child !== undefined) this.child.kill('SIGSTOP');
    this.paused = true;
  }

  /** SIGCONT. */
  resume(): void {
    if (this.child !== undefined) this.child.kill('SIGCONT');
    this.paused = false;
  }

  /** The last lines it printed. */
  output(): string {
    return this.tail;
  }

  /** Kills it if running and closes its log. */
  async dispose(): Promise<void> {
    await this.kill();
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
