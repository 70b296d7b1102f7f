/** What a command reads and writes besides its arguments: injected so that tests run the program in-process. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** True when `err` writes to a terminal (progress is then redrawn in place); absent: not a terminal. */
  readonly errIsTty?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Ends the process (used by the long-running commands after a signal). */
  readonly exit: (code: number) => void;
  /** How to run this CLI again as a child process: executable and leading arguments (for `dynamis cluster`'s nodes). */
  readonly self: readonly [string, ...string[]];
}
