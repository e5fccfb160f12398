// What the end-to-end suites share: the whole embedded flywheel under the supervisor (every service its own
// process), logs ingested over HTTP the way an application would, jobs driven through the jobs API only.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  FLYWHEEL_SERVICES,
  formatLogLine,
  startFlywheelStack,
  type FlywheelStack,
  type FlywheelStackOptions,
  type LogLine,
} from '@flywheel/dev-stack';

export const SAMPLE_LOGS = resolve(__dirname, '../fixtures/production-logs/bfcl-live-simple.jsonl');
export const WORKLOAD = 'agent.tool_router';
export const CLIENT = 'aiva-demo';
export const SMALL = 'meta/llama-3.2-1b-instruct';
export const MEDIUM = 'meta/llama-3.2-3b-instruct';
export const LARGE = 'meta/llama-3.1-8b-instruct';
export const TERMINAL = ['completed', 'failed', 'cancelled'] as const;

export interface E2eStack {
  readonly stack: FlywheelStack;
  readonly lines: string[];
  /** The last lines of every process, for a failure message. */
  tail(n?: number): string;
  close(): Promise<void>;
}

export async function startE2eStack(options: Partial<FlywheelStackOptions> = {}): Promise<E2eStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-e2e-'));
  const lines: string[] = [];
  const stack = await startFlywheelStack({
    dataDir,
    simulator: { delays: 'none', seed: 7 },
    readyTimeoutMs: 180_000,
    // A SIGKILLed member holds its partitions until its session expires: keep that short so kills cost seconds.
    env: { KAFKA_SESSION_TIMEOUT_MS: '10000', KAFKA_HEARTBEAT_INTERVAL_MS: '1000' },
    log: (line: LogLine) => {
      lines.push(formatLogLine(line));
      if (lines.length > 5000) lines.splice(0, 1000);
    },
    ...options,
  });
  return {
    stack,
    lines,
    tail: (n = 80) => lines.slice(-n).join('\n'),
    close: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Null when every service is in the tree; otherwise why the suite cannot run. */
export function missingServices(stack: FlywheelStack): string | null {
  const missing = FLYWHEEL_SERVICES.filter((s) => !stack.services.includes(s));
  return missing.length === 0 ? null : `services not in the tree: ${missing.join(', ')}`;
}

/** POSTs a JSONL file to the log-ingester as NDJSON (what an application without Kafka does). */
export async function ingestFile(stack: FlywheelStack, path: string, workloadId = WORKLOAD): Promise<number> {
  const body = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.stringify({ ...(JSON.parse(l) as Record<string, unknown>), workload_id: workloadId }))
    .join('\n');
  const res = await fetch(`${stack.urls.services['log-ingester']}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  });
  const answer = (await res.json()) as { stored?: number; accepted?: number; received?: number };
  if (!res.ok) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer.received ?? 0;
}

export interface Api {
  post(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  del(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

export function apiOf(stack: FlywheelStack): Api {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.urls.api}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text.length > 0 ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  return {
    post: (path, body) => call('POST', path, body),
    get: (path) => call('GET', path),
    del: (path) => call('DELETE', path),
  };
}

export interface JobDetail {
  readonly id: string;
  readonly status: string;
  readonly error?: string | null;
  readonly [key: string]: unknown;
}

/** Polls GET /api/jobs/{id} until `done` holds; fails naming the last status seen. */
export async function waitForJob(
  api: Api,
  id: string,
  done: (job: JobDetail) => boolean,
  timeoutMs: number,
  what = 'the job to finish',
): Promise<JobDetail> {
  const deadline = Date.now() + timeoutMs;
  let last: JobDetail | null = null;
  while (Date.now() < deadline) {
    const res = await api.get(`/api/jobs/${id}`);
    if (res.status === 200) {
      last = res.body as unknown as JobDetail;
      if (done(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 2000)}`);
}

export const isTerminal = (job: JobDetail): boolean => (TERMINAL as readonly string[]).includes(job.status);

export interface ReportRow {
  readonly rank: number;
  readonly model_name: string;
  readonly status: string;
  readonly scores: Record<'base' | 'icl' | 'customized', Record<string, number> | null>;
  readonly best: { eval_type: string; score: number } | null;
  readonly gap_to_teacher: number | null;
}

export interface Report {
  readonly status: string;
  readonly final: boolean;
  readonly primary_metric: string;
  readonly candidates: ReportRow[];
  readonly recommendation: { model_name: string | null; eval_type: string | null; rationale: string };
}

export async function reportOf(api: Api, id: string): Promise<Report> {
  const res = await api.get(`/api/jobs/${id}/report`);
  if (res.status !== 200) throw new Error(`report answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as unknown as Report;
}

/** The scores of a report, without anything that names the run (customized model names carry the run id). */
export function scoresOf(report: Report): unknown {
  return report.candidates.map((c) => ({
    model: c.model_name,
    status: c.status,
    base: c.scores.base?.[report.primary_metric] ?? null,
    icl: c.scores.icl?.[report.primary_metric] ?? null,
    customized: c.scores.customized?.[report.primary_metric] ?? null,
  }));
}

export interface SimulatorState {
  readonly deployments: { name: string; model: string; status: string }[];
  readonly customizationJobs: { id: string; status: string; outputModel: string }[];
  readonly evaluationJobs: { id: string; status: string; model: string }[];
}

/** The simulator's own view (its control endpoint): what is deployed and which jobs exist. */
export async function simulatorState(e2e: E2eStack): Promise<SimulatorState> {
  const res = await fetch(`${e2e.stack.urls.platform}/_sim/state`);
  return (await res.json()) as SimulatorState;
}

interface NimOfJob {
  readonly model_name: string;
  readonly status: string;
  readonly evaluations: { eval_type: string; status: string }[];
  readonly customizations: { status: string; job_id: string | null; customized_model: string | null }[];
}

/** The candidates (`nims`) of a job detail, as the blueprint's API shows them. */
export function nimsOf(job: JobDetail): NimOfJob[] {
  return (job.nims as NimOfJob[] | undefined) ?? [];
}

export const anyCustomization = (status: string) => (job: JobDetail) =>
  nimsOf(job).some((n) => n.customizations.some((c) => c.status === status));

export const anyEvaluation = (status: string) => (job: JobDetail) =>
  nimsOf(job).some((n) => n.evaluations.some((e) => e.status === status));
