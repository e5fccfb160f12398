// Evaluator (§3.5) with inline configs. Fixes: `pending` is waiting, not an error, and
// `failed`/`cancelled`/`cancelling` are terminal (§10.5); evaluation jobs can be cancelled (§10.22).
//
// Cancel: `POST /v1/evaluation/jobs/{job_id}/cancel`, as in the nemo-microservices Python SDK generated from the
// platform's OpenAPI spec (`evaluation.jobs.cancel`, nemo_microservices 1.2.0, resources/evaluation/jobs.py; also
// listed in the SDK reference at docs.nvidia.com/nemo/microservices/latest/pysdk/reference/nemo_microservices/
// nemo_microservices.resources.evaluation.jobs.html). The blueprint found no cancel API in its Evaluator version
// (§10.22), so a 404/405 for the cancel route falls back to `DELETE /v1/evaluation/jobs/{id}` (documented on the
// "Delete Evaluation Job" page), which removes the job. Per-sample results come from `download-results` (see
// nemo-eval-samples.ts for what is documented about its contents).
import { PlatformError, PlatformNotFoundError, describe } from '../errors';
import { FlywheelPlatformAttr, GenAiAttr } from '../http/genai-attributes';
import { type HttpClient, parseJson } from '../http/http-client';
import { extractScores, kindOfResults, nemoEvaluationConfig } from '../evaluation/nemo-eval-config';
import {
  type EvaluationClient,
  type EvaluationJob,
  type EvaluationKind,
  type EvaluationResults,
  type EvaluationSpec,
} from '../ports/evaluation-client';
import { type WaitOptions } from '../ports/jobs';
import { normaliseStatus } from '../status';
import { waitForJob } from '../wait-for-job';
import { requireId } from './nemo-customization-client';
import { type NemoConfig } from './nemo-config';
import { type DownloadedSamples, samplesFromDownload } from './nemo-eval-samples';
import { evaluationJobSchema, evaluationResultsSchema } from './nemo-schemas';

export class NemoEvaluationClient implements EvaluationClient {
  private readonly kinds = new Map<string, EvaluationKind>();

  public constructor(
    private readonly nemo: HttpClient,
    private readonly config: NemoConfig,
  ) {}

  public async createJob(spec: EvaluationSpec): Promise<EvaluationJob> {
    const body = await this.nemo.json({
      call: 'evaluator.createJob',
      method: 'POST',
      path: '/v1/evaluation/jobs',
      spanAttributes: { [GenAiAttr.requestModel]: spec.model, [FlywheelPlatformAttr.candidate]: spec.model },
      json: {
        namespace: this.config.namespace,
        config: nemoEvaluationConfig(spec, this.config.namespace),
        target: { type: 'model', model: spec.model },
      },
      schema: evaluationJobSchema,
    });
    this.kinds.set(body.id, spec.kind);
    return toJob(body);
  }

  public async getJob(jobId: string): Promise<EvaluationJob> {
    const id = requireId('evaluator.getJob', jobId);
    const call = 'evaluator.getJob';
    const res = await this.nemo.send({ call, method: 'GET', path: `/v1/evaluation/jobs/${id}`, accept: [200, 404] });
    if (res.status === 404) throw new PlatformNotFoundError(call, `evaluation job ${jobId}`);
    return toJob(parseJson(call, res.text, evaluationJobSchema));
  }

  public async getResults(jobId: string): Promise<EvaluationResults> {
    const id = requireId('evaluator.getResults', jobId);
    const call = 'evaluator.getResults';
    const body = await this.nemo.json({
      call,
      method: 'GET',
      path: `/v1/evaluation/jobs/${id}/results`,
      schema: evaluationResultsSchema,
    });
    const kind = this.kinds.get(jobId) ?? kindOfResults(body);
    const { scores, count } = extractScores(kind, body);
    if (Object.keys(scores).length === 0) {
      throw new PlatformError(call, `results of ${jobId} hold none of the ${kind} scores`);
    }
    const { samples, unavailable } = await this.downloadSamples(id, kind);
    return { jobId, scores, sampleCount: count || samples.length, samples, samplesUnavailable: unavailable };
  }

  public async cancelJob(jobId: string): Promise<void> {
    const id = requireId('evaluator.cancelJob', jobId);
    const res = await this.nemo.send({
      call: 'evaluator.cancelJob',
      method: 'POST',
      path: `/v1/evaluation/jobs/${id}/cancel`,
      // 409: already finished, nothing to cancel. 404/405: no such job, or an Evaluator without the cancel route.
      accept: [200, 201, 202, 204, 404, 405, 409],
      idempotent: true,
    });
    if (res.status === 404 || res.status === 405) await this.deleteJob(jobId);
  }

  public async deleteJob(jobId: string): Promise<void> {
    const id = requireId('evaluator.deleteJob', jobId);
    await this.nemo.send({
      call: 'evaluator.deleteJob',
      method: 'DELETE',
      path: `/v1/evaluation/jobs/${id}`,
      accept: [200, 204, 404],
    });
  }

  public waitForCompletion(jobId: string, options: WaitOptions<EvaluationJob> = {}): Promise<EvaluationJob> {
    return waitForJob('evaluator.waitForCompletion', () => this.getJob(jobId), { ...this.config.wait, ...options });
  }

  /** The per-sample detail is optional: a failed or unreadable download leaves the aggregate scores intact. */
  private async downloadSamples(id: string, kind: EvaluationKind): Promise<DownloadedSamples> {
    try {
      const res = await this.nemo.send({
        call: 'evaluator.downloadResults',
        method: 'GET',
        path: `/v1/evaluation/jobs/${id}/download-results`,
        headers: { accept: 'application/zip' },
        accept: [200, 404, 405, 501],
      });
      if (res.status !== 200) return { samples: [], unavailable: `download-results answered HTTP ${res.status}` };
      return samplesFromDownload(kind, res.bytes);
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      return { samples: [], unavailable: describe(err) };
    }
  }
}

function toJob(body: {
  id: string;
  status: string;
  status_details?: { progress?: number | null; message?: string | null } | null;
}): EvaluationJob {
  const { status, raw } = normaliseStatus(body.status);
  const message = body.status_details?.message ?? null;
  return {
    id: body.id,
    status,
    rawStatus: raw,
    progress: status === 'succeeded' ? 100 : (body.status_details?.progress ?? 0),
    message,
    error: status === 'failed' ? (message ?? 'evaluation failed') : null,
  };
}
