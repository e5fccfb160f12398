// How runs look in a terminal: the list, one run with a row per candidate (also the live view of `run start --watch`),
// and the report. Pure functions of the API's answers, so the specs can compare text.
import { type JobDetail, type JobList, type JobReport, type Nim, type ReportCandidate } from '../api/api-schemas';
import { renderTable, truncate } from './table';

const DASH = '—';

/** The metric a run is judged on (the aggregator's rule): tool calls by exact calls, chat by similarity. */
export function primaryMetricOf(workloadType: string | null | undefined): string {
  return workloadType === 'generic' ? 'similarity' : 'function_name_and_args_accuracy';
}

export function formatScore(value: number | undefined | null): string {
  if (value === undefined || value === null) return DASH;
  return Math.abs(value) <= 1 ? value.toFixed(3) : value.toFixed(1);
}

function pickScore(scores: Readonly<Record<string, number>>, metric: string): number | undefined {
  return scores[metric] ?? Object.values(scores)[0];
}

function evalCell(nim: Nim, evalType: string, metric: string): string {
  const e = nim.evaluations.find((x) => x.eval_type === evalType);
  if (e === undefined) return DASH;
  const status = e.status ?? (Object.keys(e.scores).length > 0 ? 'completed' : 'pending');
  if (status === 'completed') return formatScore(pickScore(e.scores, metric));
  if (status === 'running') return `${Math.round(e.progress)}%`;
  return status;
}

function customizationCell(nim: Nim): string {
  const c = nim.customizations[0];
  if (c === undefined) return DASH;
  const status = c.status ?? 'pending';
  if (status === 'running') {
    const epochs = c.epochs_completed !== undefined ? ` e${c.epochs_completed}` : '';
    return `${Math.round(c.progress)}%${epochs}`;
  }
  return status === 'completed' ? 'done' : status;
}

function candidateCells(nim: Nim, metric: string): string[] {
  return [
    nim.model_name,
    nim.status,
    nim.deployment_status,
    evalCell(nim, 'base-eval', metric),
    evalCell(nim, 'icl-eval', metric),
    customizationCell(nim),
    evalCell(nim, 'customized-eval', metric),
    truncate(nim.error ?? '', 60),
  ];
}

/**
 * One candidate on one line with fixed column widths, so lines printed at different times (the non-terminal
 * `--watch`) line up: model, status, deployment, base, ICL, customization, customized, error.
 */
export function renderCandidateLine(nim: Nim, workloadType: string | null | undefined, modelWidth: number): string {
  const [model, status, deployment, base, icl, customization, customized, error] = candidateCells(
    nim,
    primaryMetricOf(workloadType),
  );
  return [
    (model ?? '').padEnd(modelWidth),
    `${status ?? ''}`.padEnd(13),
    `deploy ${deployment ?? ''}`.padEnd(16),
    `base ${base ?? ''}`.padEnd(14),
    `icl ${icl ?? ''}`.padEnd(13),
    `lora ${customization ?? ''}`.padEnd(15),
    `customized ${customized ?? ''}`.padEnd(20),
    error ?? '',
  ]
    .join(' ')
    .trimEnd();
}

/** One row per candidate: status, deployment, base / ICL evaluation, customization, customized evaluation. */
export function renderCandidates(job: JobDetail): string {
  const metric = primaryMetricOf(job.workload_type);
  const rows = job.nims.map((nim) => candidateCells(nim, metric));
  return renderTable(
    ['CANDIDATE', 'STATUS', 'DEPLOYMENT', 'BASE', 'ICL', 'CUSTOMIZATION', 'CUSTOMIZED', 'ERROR'],
    rows,
    ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'left'],
  );
}

/** The live view: one status line for the run and the candidates' table. */
export function renderProgress(job: JobDetail, elapsedSeconds: number): string {
  const records = job.num_records > 0 ? `, ${job.num_records} records` : '';
  return (
    `run ${job.id}  ${job.status}${records}  (${Math.round(elapsedSeconds)} s)\n` +
    (job.nims.length > 0 ? renderCandidates(job) : '')
  );
}

export function renderDetail(job: JobDetail): string {
  const lines = [
    `run        ${job.id}`,
    `status     ${job.status}${job.error !== null ? `: ${job.error}` : ''}`,
    `workload   ${job.workload_id} (client ${job.client_id})${job.workload_type ? `, ${job.workload_type}` : ''}`,
    `records    ${job.num_records}`,
    `started    ${job.started_at}`,
    `finished   ${job.finished_at ?? DASH}`,
  ];
  if (job.datasets.length > 0) {
    lines.push(`datasets   ${job.datasets.map((d) => `${d.kind ?? d.name} ${d.num_records}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n\n${job.nims.length > 0 ? renderCandidates(job) : 'no candidates\n'}`;
}

export function renderList(list: JobList): string {
  if (list.jobs.length === 0) return 'no runs\n';
  const rows = list.jobs.map((j) => [
    j.id,
    j.status,
    j.workload_id,
    j.client_id,
    j.started_at,
    j.finished_at ?? DASH,
    truncate(j.error ?? '', 50),
  ]);
  const more = list.next_cursor ? `(more: --cursor ${list.next_cursor})\n` : '';
  return renderTable(['ID', 'STATUS', 'WORKLOAD', 'CLIENT', 'STARTED', 'FINISHED', 'ERROR'], rows) + more;
}

type Variant = 'base' | 'icl' | 'customized';
const VARIANT_OF: Readonly<Record<string, Variant>> = {
  base: 'base',
  icl: 'icl',
  customized: 'customized',
  'base-eval': 'base',
  'icl-eval': 'icl',
  'customized-eval': 'customized',
};

function bestVariant(c: ReportCandidate): Variant | undefined {
  return c.best === null ? undefined : VARIANT_OF[c.best.eval_type];
}

function samplesCell(c: ReportCandidate): string {
  const counts = c.sample_counts;
  if (counts === undefined) return DASH;
  const best = bestVariant(c);
  const n = (best !== undefined ? counts[best] : null) ?? counts.base ?? counts.icl ?? counts.customized ?? null;
  return n === null || n === undefined ? DASH : String(n);
}

function latencyCell(c: ReportCandidate): string {
  const best = bestVariant(c);
  const ms = best !== undefined ? c.latency_ms?.[best] : undefined;
  return ms === undefined || ms === null ? DASH : `${Math.round(ms)} ms`;
}

function costCell(c: ReportCandidate): string {
  const usd = c.cost?.usd_per_1k_calls;
  if (usd === undefined || usd === null) return DASH;
  const savings = c.cost?.savings;
  const saved = savings === undefined || savings === null ? '' : ` (-${Math.round(savings * 100)}%)`;
  return `$${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}${saved}`;
}

function variantScore(c: ReportCandidate, v: Variant, metric: string): string {
  const scores = c.scores[v];
  if (scores === undefined || scores === null) return DASH;
  return formatScore(scores[metric] ?? null);
}

export function renderReport(report: JobReport): string {
  const metric = report.primary_metric;
  const recommended = report.recommendation.model_name;
  const rows = report.candidates.map((c) => {
    const isRecommended = recommended !== null && (c.model_name === recommended || c.customized_model === recommended);
    const best = bestVariant(c);
    return [
      `${c.rank}${isRecommended ? ' *' : ''}`,
      c.model_name,
      variantScore(c, 'base', metric),
      variantScore(c, 'icl', metric),
      variantScore(c, 'customized', metric),
      best ?? DASH,
      c.gap_to_teacher === null ? DASH : `${(c.gap_to_teacher * 100).toFixed(1)}%`,
      samplesCell(c),
      latencyCell(c),
      costCell(c),
      c.status + (c.error !== null ? `: ${truncate(c.error, 50)}` : ''),
    ];
  });
  const header = [
    `report for run ${report.id} (${report.status}${report.final ? '' : ', not final yet'})`,
    `workload ${report.workload_id} / ${report.client_id}${report.workload_type ? `, ${report.workload_type}` : ''}, ` +
      `${report.num_records} records`,
    `metric   ${metric}; teacher ${report.teacher.model_name} = ${formatScore(report.teacher.score)}; ` +
      `qualifies within ${Math.round(report.max_gap * 100)}% of the teacher`,
    '',
  ].join('\n');
  const tableText = renderTable(
    ['RANK', 'CANDIDATE', 'BASE', 'ICL', 'CUSTOMIZED', 'BEST', 'GAP', 'SAMPLES', 'LATENCY', 'COST/1K', 'STATUS'],
    rows,
    ['left', 'left', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right', 'left'],
  );
  const rec = report.recommendation;
  const verdict =
    rec.model_name === null
      ? `\nrecommendation: none. ${rec.rationale}\n`
      : `\nrecommendation: ${rec.model_name}${rec.eval_type !== null ? ` (${rec.eval_type})` : ''}. ${rec.rationale}\n`;
  return `${header}\n${tableText}${verdict}`;
}
