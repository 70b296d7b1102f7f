import type * as Server from '@dynamis/server';
import type { Command } from 'commander';
import { EXIT } from '../exitCodes';
import type { Io } from '../io';

type Run = (work: () => Promise<number | undefined>) => Promise<void>;

/**
 * `dynamis start [flags]`: one node, exactly as `dynamis-server` runs it: the
 * flags and the config file go to @dynamis/server's own parser and schema
 * (its --help text is this command's), so the two commands cannot drift.
 * Keeps running until SIGTERM/SIGINT (then exit 0 after a graceful stop).
 */
export function addStartCommand(program: Command, io: Io, run: Run): void {
  const cmd = program
    .command('start')
    .description('run one node from a config file and/or flags (`dynamis start --help` lists them)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[flags...]', 'the flags of dynamis-server')
    .action((_flags: string[], _opts: unknown, command: Command) =>
      run(async () => {
        const { runServer } = await loadServer();
        const server = await runServer(command.args, {
          command: 'dynamis start',
          env: io.env,
          stdout: io.out,
          stderr: io.err,
          exit: io.exit,
        });
        return server === undefined ? EXIT.ok : undefined;
      }),
    );
  cmd.helpInformation = () => `${serverNow().usageFor('dynamis start')}\n`;
}

/**
 * @dynamis/server (every plugin, the engines, TLS, metrics), loaded when
 * `start` runs or prints its help: the other commands (put, get, status...)
 * start in about half the time without it.
 */
async function loadServer(): Promise<typeof Server> {
  return import('@dynamis/server');
}

function serverNow(): typeof Server {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- helpInformation is synchronous; see loadServer
  return require('@dynamis/server') as typeof Server;
}
