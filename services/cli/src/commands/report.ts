// `flywheel report ID` and `flywheel promote ID`: the decision of a run and acting on it.
import { Command } from 'commander';
import { type CliContext } from '../context';
import { renderReport } from '../render/job-render';
import { apiClient, nonEmpty, printJson, withApiOptions, type ApiFlags } from './api-options';

export function reportCommand(ctx: CliContext): Command {
  return withApiOptions(
    new Command('report')
      .description(
        'the decision of a run: candidates ranked with base / ICL / customized scores, the gap to the teacher, ' +
          'samples, latency, cost and the recommendation (GET /api/jobs/ID/report)',
      )
      .argument('<id>', 'run id'),
  ).action(async (id: string, flags: ApiFlags) => {
    const report = await apiClient(ctx, flags).report(id);
    if (flags.json === true) printJson(ctx, report);
    else ctx.io.stdout.write(renderReport(report));
  });
}

interface PromoteFlags extends ApiFlags {
  readonly model?: string;
  readonly by?: string;
  readonly reason?: string;
}

export function promoteCommand(ctx: CliContext): Command {
  return withApiOptions(
    new Command('promote')
      .description('promote a completed run’s recommended (or named) model: publishes model.promoted')
      .argument('<id>', 'run id')
      .option('--model <name>', 'the model to promote (default: the run’s recommendation)', nonEmpty)
      .option('--by <name>', 'who promotes it', nonEmpty)
      .option('--reason <text>', 'why', nonEmpty),
  ).action(async (id: string, flags: PromoteFlags) => {
    const body: Record<string, string> = {};
    if (flags.model !== undefined) body.model_name = flags.model;
    if (flags.by !== undefined) body.promoted_by = flags.by;
    if (flags.reason !== undefined) body.reason = flags.reason;
    const answer = await apiClient(ctx, flags).promote(id, body);
    if (flags.json === true) printJson(ctx, answer);
    else {
      ctx.io.stdout.write(
        `promoted ${answer.model_name} for run ${answer.id} (replaces ${answer.previous_model}): ${answer.message}\n`,
      );
    }
  });
}
