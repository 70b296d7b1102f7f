import { errorLine } from '@dynamis/core';
import { Command, CommanderError } from 'commander';
import { addAdminCommands } from './commands/adminCommands';
import { addBenchCommand } from './commands/benchCommand';
import { addClusterCommand } from './commands/clusterCommand';
import { addDataCommands } from './commands/dataCommands';
import { addLeaveCommand } from './commands/leaveCommand';
import { addExperimentCommand } from './commands/experimentCommand';
import { addStartCommand } from './commands/startCommand';
// scan, batch, ring, hints, repair (issue 12)
import { addBatchCommand } from './commands/batchCommand';
import { addOpsCommands } from './commands/opsCommands';
import { addScanCommand } from './commands/scanCommand';
import { EXIT, exitCodeOf } from './exitCodes';
import type { Io } from './io';

/** What runCli resolves with: an exit code, or `running` for a command that keeps the process alive (start, cluster). */
export type CliOutcome = number | 'running';

/**
 * The `dynamis` program with every command, writing through `io`. `outcome`
 * receives what the command's action decided. Exposed for the help test.
 */
export function buildProgram(io: Io, outcome: { value: CliOutcome }): Command {
  const run = async (work: () => Promise<number | undefined>): Promise<void> => {
    try {
      const code = await work();
      outcome.value = code === undefined ? 'running' : code;
    } catch (err) {
      io.err(errorLine(err));
      outcome.value = exitCodeOf(err);
    }
  };
  const program = new Command('dynamis')
    .description('Dynamis: run a node or a local cluster, read and write keys, see cluster state')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  addStartCommand(program, io, run);
  addClusterCommand(program, io, run);
  addDataCommands(program, io, run);
  addAdminCommands(program, io, run);
  // scan, batch, ring, hints, repair (issue 12)
  addScanCommand(program, io, run);
  addBatchCommand(program, io, run);
  addOpsCommands(program, io, run);
  addLeaveCommand(program, io, run);
  addBenchCommand(program, io, run);
  // Loaded when the command runs: the workload library is not needed by the other commands.
  addExperimentCommand(program, io, run, async () => (await import('./experiment/ycsbDriver')).ycsbDriver());
  return program;
}

/**
 * Runs `dynamis` with `argv` (without node and script). Resolves with the
 * exit code (README "Exit codes": 0 ok, 1 not found, 2 usage, 3 error) or
 * `running` when a node or cluster now runs until a signal (it then ends
 * the process itself through io.exit). Never rejects.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<CliOutcome> {
  const outcome: { value: CliOutcome } = { value: EXIT.ok };
  const program = buildProgram(io, outcome);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    io.err(errorLine(err));
    return exitCodeOf(err);
  }
  return outcome.value;
}
