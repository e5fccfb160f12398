// The effective curation config of one run: the run's overrides (data_split / icl / training of `run.requested`)
// merged over the SERVICE config by curation's resolveJobConfig — never over hard defaults (blueprint bug §10.8) —
// plus one ICL target per ICL-enabled candidate, budgeted by that model's own context length (§10.18).
import { type RunRequestedV1 } from '@flywheel/contracts';
import { CurationConfigError, resolveJobConfig, type CurationConfig } from '@flywheel/curation';

/** Thrown for overrides the builder cannot apply; the message names each field. */
export class RunConfigError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`invalid run configuration: ${problems.join('; ')}`);
    this.name = 'RunConfigError';
  }
}

/** The non-null fields of an Avro override record (null = keep the service value). */
function present<T extends object>(record: T | null): Partial<Record<keyof T, unknown>> | undefined {
  if (record === null) return undefined;
  const out: Partial<Record<keyof T, unknown>> = {};
  for (const [k, v] of Object.entries(record) as [keyof T, unknown][]) if (v !== null) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Enum symbols a newer producer may send that this build does not know (Avro's `unknown` fallback). */
function unknownSymbols(event: RunRequestedV1): string[] {
  const problems: string[] = [];
  if (event.icl?.example_selection === 'unknown') problems.push('icl.example_selection: unknown selection strategy');
  if (event.training?.training_type === 'unknown') problems.push('training.training_type: unknown training type');
  if (event.training?.finetuning_type === 'unknown')
    problems.push('training.finetuning_type: unknown fine-tuning type');
  return problems;
}

export function resolveRunConfig(service: CurationConfig, event: RunRequestedV1): CurationConfig {
  const symbolProblems = unknownSymbols(event);
  if (symbolProblems.length > 0) throw new RunConfigError(symbolProblems);
  const icl = present(event.icl);
  const maxContext = (icl?.max_context_length as number | undefined) ?? service.icl_config.max_context_length;
  const targets = event.candidates
    .filter((c) => c.icl_enabled)
    .map((c) => ({ model_name: c.model_name, context_length: c.context_length ?? maxContext }));
  const override = {
    ...(present(event.data_split) ? { data_split_config: present(event.data_split) } : {}),
    ...(icl ? { icl_config: icl } : {}),
    ...(present(event.training) ? { training_config: present(event.training) } : {}),
    target_models: targets,
  };
  try {
    return resolveJobConfig(service, override);
  } catch (err) {
    if (err instanceof CurationConfigError) {
      throw new RunConfigError(err.issues.map((i) => `${overrideField(i.path)}: ${i.message}`));
    }
    throw err;
  }
}

/** Curation's config paths in the request's own terms (data_split_config.eval_size → data_split.eval_size). */
function overrideField(path: string): string {
  return path
    .replace(/^data_split_config\./, 'data_split.')
    .replace(/^icl_config\./, 'icl.')
    .replace(/^training_config\./, 'training.')
    .replace(/^target_models\.\d+\./, 'candidates (ICL target).');
}
