// The `flywheel` program: one commander command (group) per file under commands/: up, logs, run, report, promote,
// trace, demo. runCli turns every failure into a message on stderr and an exit code.
import { Command, CommanderError } from 'commander';
import { demoCommand } from './commands/demo';
import { logsCommand } from './commands/logs';
import { promoteCommand, reportCommand } from './commands/report';
import { runCommand } from './commands/run';
import { traceCommand } from './commands/trace';
import { upCommand } from './commands/up';
import { type CliContext } from './context';
import { CliError, ExitCode, errorText } from './errors';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('flywheel')
    .description('flywheel: production logs in, evidence that a smaller model can replace the big one out')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => void ctx.io.stdout.write(s),
      writeErr: (s) => void ctx.io.stderr.write(s),
    })
    .exitOverride();
  program.addCommand(upCommand(ctx));
  program.addCommand(logsCommand(ctx));
  program.addCommand(runCommand(ctx));
  program.addCommand(reportCommand(ctx));
  program.addCommand(promoteCommand(ctx));
  program.addCommand(traceCommand(ctx));
  program.addCommand(demoCommand(ctx));
  // Subcommands report usage errors through the same path as the program.
  for (const group of program.commands) {
    group.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError('(run with --help for usage)');
    for (const cmd of group.commands) cmd.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

/** Runs the CLI on `args` (without node and the script) and returns the exit code. */
export async function runCli(args: readonly string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync([...args], { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end here too, with code 0; commander already printed what it had to say.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (err instanceof CliError) {
      ctx.io.stderr.write(`flywheel: ${err.message}\n`);
      return err.exitCode;
    }
    ctx.io.stderr.write(`flywheel: unexpected error: ${errorText(err)}\n`);
    if (err instanceof Error && err.stack !== undefined) ctx.io.stderr.write(`${err.stack}\n`);
    return ExitCode.failure;
  }
}
