// `flywheel trace RUN_ID`: a run's trace as a tree, from the span files the embedded stack writes (every process
// under `flywheel up` exports its spans to <data dir>/traces), so tracing is visible without Grafana or a collector.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { type CliContext } from '../context';
import { CliError } from '../errors';
import { nonEmpty } from './api-options';

interface TraceFlags {
  readonly traces: string;
  readonly json?: boolean;
}

export const DEFAULT_TRACES_DIR = '.data/flywheel/traces';

export function traceCommand(ctx: CliContext): Command {
  return new Command('trace')
    .description(
      'print a run’s trace as a tree (service, span, kind, duration, candidate, handler outcome), read from the ' +
        'span files of `flywheel up`',
    )
    .argument('<id>', 'run id', nonEmpty)
    .option('--traces <dir>', 'span files directory (`flywheel up --data-dir D` writes D/traces)', DEFAULT_TRACES_DIR)
    .option('--json', 'the spans of the run’s traces as JSON lines instead of a tree')
    .action(async (id: string, flags: TraceFlags) => {
      // Loaded on use: the telemetry library brings the whole OTel SDK, which no other command needs.
      const { readSpanFiles, renderRunTraces, runTraces } = await import('@flywheel/telemetry');
      const dir = resolve(flags.traces);
      const files = readSpanFiles(dir);
      if (files.files === 0) {
        throw new CliError(`no span files in ${dir}: is the flywheel running (flywheel up) with that data directory?`);
      }
      const traces = runTraces(files.spans, id);
      if (traces.length === 0) {
        throw new CliError(`no spans of run ${id} in ${dir} (${files.spans.length} spans in ${files.files} files)`);
      }
      if (flags.json === true) {
        for (const t of traces) for (const s of t.spans) ctx.io.stdout.write(`${JSON.stringify(s)}\n`);
        return;
      }
      ctx.io.stdout.write(`${renderRunTraces(traces, id)}\n`);
      if (files.badLines > 0) ctx.io.stderr.write(`(${files.badLines} unreadable span lines skipped)\n`);
    });
}
