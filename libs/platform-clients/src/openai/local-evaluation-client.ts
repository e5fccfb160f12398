// EvaluationClient that runs evaluations in this process (the local engine) with the same job surface as
// NeMo Evaluator: create, poll, results, cancel, delete.
import { randomUUID } from 'node:crypto';
import { PlatformArgumentError, PlatformError, PlatformNotFoundError, describe } from '../errors';
import { parseEvalRecords } from '../evaluation/eval-records';
import { type ModelEndpoint, runLocalEvaluation } from '../evaluation/local-evaluation-engine';
import { type DatasetStore } from '../ports/dataset-store';
import {
  type EvaluationClient,
  type EvaluationJob,
  type EvaluationResults,
  type EvaluationSpec,
  type JudgeRef,
} from '../ports/evaluation-client';
import { type WaitOptions } from '../ports/jobs';
import { type JobStatus } from '../status';
import { waitForJob } from '../wait-for-job';

export interface LocalEvaluationClientOptions {
  datasets: DatasetStore;
  /** The candidate's chat endpoint, or undefined when the model is not configured. */
  candidate: (model: string) => ModelEndpoint | undefined;
  judge: (ref: JudgeRef) => ModelEndpoint;
  concurrency: number;
  pollIntervalMs: number;
}

interface LocalJob {
  id: string;
  status: JobStatus;
  progress: number;
  error: string | null;
  results: EvaluationResults | null;
  abort: AbortController;
}

export class LocalEvaluationClient implements EvaluationClient {
  private readonly jobs = new Map<string, LocalJob>();

  public constructor(private readonly options: LocalEvaluationClientOptions) {}

  public createJob(spec: EvaluationSpec): Promise<EvaluationJob> {
    const candidate = this.options.candidate(spec.model);
    if (!candidate) {
      return Promise.reject(
        new PlatformArgumentError('local-evaluator.createJob', `model ${spec.model} is not a configured endpoint`),
      );
    }
    const job: LocalJob = {
      id: `eval-local-${randomUUID()}`,
      status: 'pending',
      progress: 0,
      error: null,
      results: null,
      abort: new AbortController(),
    };
    this.jobs.set(job.id, job);
    // The run reports through the job record; it never rejects.
    void this.run(job, spec, candidate);
    return Promise.resolve(snapshot(job));
  }

  public getJob(jobId: string): Promise<EvaluationJob> {
    const job = this.jobs.get(jobId);
    return job
      ? Promise.resolve(snapshot(job))
      : Promise.reject(new PlatformNotFoundError('local-evaluator.getJob', `evaluation job ${jobId}`));
  }

  public getResults(jobId: string): Promise<EvaluationResults> {
    const job = this.jobs.get(jobId);
    if (!job) return Promise.reject(new PlatformNotFoundError('local-evaluator.getResults', `evaluation job ${jobId}`));
    if (!job.results) {
      return Promise.reject(
        new PlatformError('local-evaluator.getResults', `job ${jobId} has no results (${job.status})`),
      );
    }
    return Promise.resolve(job.results);
  }

  public cancelJob(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job) return Promise.reject(new PlatformNotFoundError('local-evaluator.cancelJob', `evaluation job ${jobId}`));
    if (job.status === 'pending' || job.status === 'running') {
      job.status = 'cancelled';
      job.abort.abort();
    }
    return Promise.resolve();
  }

  public deleteJob(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    job?.abort.abort();
    this.jobs.delete(jobId);
    return Promise.resolve();
  }

  public waitForCompletion(jobId: string, options: WaitOptions<EvaluationJob> = {}): Promise<EvaluationJob> {
    return waitForJob('local-evaluator.waitForCompletion', () => this.getJob(jobId), {
      pollIntervalMs: this.options.pollIntervalMs,
      ...options,
    });
  }

  private async run(job: LocalJob, spec: EvaluationSpec, candidate: ModelEndpoint): Promise<void> {
    try {
      const text = await this.options.datasets.downloadFile(spec.dataset, spec.evalFile ?? 'eval_data.jsonl');
      if (text === null) {
        throw new PlatformNotFoundError(
          'local-evaluator.run',
          `${spec.dataset.namespace}/${spec.dataset.name} eval file`,
        );
      }
      const records = parseEvalRecords(text).slice(0, spec.limit ?? Number.MAX_SAFE_INTEGER);
      if (job.status !== 'pending') return;
      job.status = 'running';
      const output = await runLocalEvaluation({
        kind: spec.kind,
        records,
        candidate,
        judge: this.options.judge(spec.judge),
        concurrency: this.options.concurrency,
        signal: job.abort.signal,
        onSample: (done, total) => {
          job.progress = Math.floor((done / total) * 100);
        },
      });
      if (job.abort.signal.aborted) return;
      job.results = {
        jobId: job.id,
        scores: output.scores,
        sampleCount: output.samples.length,
        samples: output.samples,
        samplesUnavailable: null,
      };
      job.progress = 100;
      job.status = 'succeeded';
    } catch (err) {
      if (job.abort.signal.aborted) return;
      job.status = 'failed';
      job.error = describe(err);
    }
  }
}

function snapshot(job: LocalJob): EvaluationJob {
  return {
    id: job.id,
    status: job.status,
    rawStatus: job.status,
    progress: job.progress,
    message: null,
    error: job.error,
  };
}
