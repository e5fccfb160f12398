// A stand-in jobs API on a real port (node:http): answers queued per route, records every request. The CLI under
// test talks HTTP to it exactly as it would to the results-aggregator.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface FakeAnswer {
  readonly status?: number;
  /** Serialized as JSON unless a string. */
  readonly body?: unknown;
  /** Never answer (for timeouts). */
  readonly hang?: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export class FakeJobsApi {
  public readonly requests: RecordedRequest[] = [];
  private readonly answers = new Map<string, FakeAnswer[]>();
  private server: Server | undefined;
  private readonly hanging: ServerResponse[] = [];

  /** Queues answers for `METHOD /path` (path with query); the last one repeats. */
  public on(route: string, ...answers: FakeAnswer[]): this {
    this.answers.set(route, [...(this.answers.get(route) ?? []), ...answers]);
    return this;
  }

  public async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const path = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', path, body: raw === '' ? undefined : JSON.parse(raw) });
    const queue = this.answers.get(`${req.method ?? 'GET'} ${path}`);
    const answer = queue === undefined ? undefined : queue.length > 1 ? queue.shift() : queue[0];
    if (answer === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 404, error: 'not_found', detail: `Not found: ${req.method} ${path}` }));
      return;
    }
    if (answer.hang === true) {
      this.hanging.push(res);
      return;
    }
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
  }
}

export const RUN_ID = '20124679-f18a-4969-b407-c357cadd003b';

type Eval = {
  eval_type: string;
  status: string;
  progress: number;
  scores: Record<string, number>;
  error: string | null;
};

function evaluation(eval_type: string, status: string, progress = 0, score?: number): Eval {
  return {
    eval_type,
    status,
    progress,
    scores: score === undefined ? {} : { function_name_and_args_accuracy: score, function_name_accuracy: score },
    error: null,
  };
}

/** A GET /api/jobs/{id} answer in the aggregator's shape, at one of a few stages of a run. */
export function jobDetail(stage: 'pending' | 'running' | 'completed' | 'failed'): Record<string, unknown> {
  const nim = (model: string, base: number, custom: number) => {
    const done = stage === 'completed';
    return {
      model_name: model,
      status: done ? 'completed' : stage === 'failed' ? 'failed' : stage === 'running' ? 'running-evals' : 'pending',
      deployment_status: stage === 'pending' ? 'pending' : done ? 'completed' : 'ready',
      runtime_seconds: 3,
      evaluations: [
        evaluation('base-eval', done || stage === 'running' ? 'completed' : 'pending', 100, base),
        evaluation('icl-eval', done ? 'completed' : stage === 'running' ? 'running' : 'pending', 40, base + 0.1),
        evaluation('customized-eval', done ? 'completed' : 'pending', 0, done ? custom : undefined),
      ],
      customizations: [
        {
          progress: done ? 100 : 60,
          epochs_completed: 1,
          steps_completed: 10,
          customized_model: null,
          error: null,
          status: done ? 'completed' : stage === 'running' ? 'running' : 'pending',
        },
      ],
      error: stage === 'failed' ? 'base evaluation failed: judge unreachable' : null,
    };
  };
  return {
    id: RUN_ID,
    workload_id: 'agent.tool_router',
    client_id: 'aiva-demo',
    status: stage,
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: stage === 'completed' || stage === 'failed' ? '2026-01-01T00:02:00.000Z' : null,
    num_records: stage === 'pending' ? 0 : 248,
    llm_judge: null,
    nims: [nim('meta/llama-3.2-1b-instruct', 0.2, 0.85), nim('meta/llama-3.1-8b-instruct', 0.55, 0.95)],
    datasets: stage === 'pending' ? [] : [{ name: 'eval-x', num_records: 20, nmp_uri: null, kind: 'eval' }],
    error: stage === 'failed' ? 'every candidate failed' : null,
    workload_type: stage === 'pending' ? null : 'tool_calling',
  };
}

export function report(options: { withCost?: boolean } = {}): Record<string, unknown> {
  const candidate = (rank: number, model: string, base: number, icl: number, custom: number) => ({
    rank,
    model_name: model,
    status: 'completed',
    customized_model: `dfwbp/customized-${model.replace('/', '-')}`,
    parameters_b: 1,
    scores: {
      base: { function_name_and_args_accuracy: base },
      icl: { function_name_and_args_accuracy: icl },
      customized: { function_name_and_args_accuracy: custom },
    },
    sample_counts: { base: 20, icl: 20, customized: 20 },
    ...(options.withCost === true
      ? {
          latency_ms: { base: 120.4, icl: 180, customized: 95.2 },
          cost: { usd_per_1k_calls: 0.0056, teacher_usd_per_1k_calls: 0.2, savings: 0.972 },
        }
      : {}),
    best: { eval_type: 'customized', score: custom },
    gap_to_teacher: Math.round((1 - custom) * 10_000) / 10_000,
    meets_threshold: custom >= 0.9,
    error: null,
  });
  return {
    id: RUN_ID,
    workload_id: 'agent.tool_router',
    client_id: 'aiva-demo',
    status: 'completed',
    final: true,
    workload_type: 'tool_calling',
    num_records: 248,
    primary_metric: 'function_name_and_args_accuracy',
    teacher: { model_name: 'meta/llama-3.3-70b-instruct', score: 1 },
    max_gap: 0.1,
    candidates: [
      candidate(1, 'meta/llama-3.1-8b-instruct', 0.55, 0.7, 0.95),
      candidate(2, 'meta/llama-3.2-1b-instruct', 0.2, 0.35, 0.85),
    ],
    recommendation: {
      model_name: 'dfwbp/customized-meta-llama-3.1-8b-instruct',
      eval_type: 'customized',
      rationale: 'meta/llama-3.1-8b-instruct after LoRA fine-tuning scores 0.95, within 10% of the teacher.',
    },
  };
}
