// Deployment Management (§3.2) plus the NIM proxy's model list (§3.3). Fixes: `ready` means deployed and an
// existing live deployment is reused instead of re-POSTed (§10.2), "already exists" is handled structurally
// (409, or DMS's 500 with that text), `failed`/`cancelled` end the wait at once (§10.3), unknown statuses
// such as `cancelling` no longer crash (§10.4).
import { PlatformHttpError, PlatformNotFoundError } from '../errors';
import { type HttpClient, parseJson } from '../http/http-client';
import { modelListSchema } from '../openai/schemas';
import { type Deployment, type DeploymentClient, type DeploymentSpec } from '../ports/deployment-client';
import { type WaitOptions } from '../ports/jobs';
import { normaliseStatus } from '../status';
import { deploymentName } from '../util/names';
import { waitForJob } from '../wait-for-job';
import { type NemoConfig } from './nemo-config';
import { deploymentSchema } from './nemo-schemas';

export class NemoDeploymentClient implements DeploymentClient {
  public constructor(
    private readonly nemo: HttpClient,
    private readonly nim: HttpClient,
    private readonly config: NemoConfig,
  ) {}

  public async deploy(spec: DeploymentSpec): Promise<Deployment> {
    const existing = await this.get(spec.model);
    if (existing && existing.status !== 'failed' && existing.status !== 'cancelled') return existing;
    if (existing) await this.delete(spec.model);
    const call = 'deployments.create';
    const res = await this.nemo.send({
      call,
      method: 'POST',
      path: '/v1/deployment/model-deployments',
      json: {
        name: deploymentName(spec.model),
        namespace: this.config.namespace,
        config: {
          model: spec.model,
          nim_deployment: {
            image_name: `${spec.registryBase ?? 'nvcr.io/nim'}/${spec.model}`,
            image_tag: spec.tag ?? 'latest',
            pvc_size: spec.pvcSize ?? '25Gi',
            gpu: spec.gpus ?? 1,
            additional_envs: { NIM_GUIDED_DECODING_BACKEND: 'outlines', ...spec.additionalEnvs },
          },
        },
      },
      // DMS answers an existing deployment with 409, or with 500 "model deployment already exists".
      accept: [200, 201, 202, 409, 500],
    });
    if (res.status === 500 && !/already exists/i.test(res.text)) {
      throw new PlatformHttpError(call, res.status, 'Internal Server Error', res.text);
    }
    const created = await this.get(spec.model);
    if (!created) throw new PlatformNotFoundError(call, `deployment of ${spec.model} after creating it`);
    return created;
  }

  public async get(model: string): Promise<Deployment | null> {
    const call = 'deployments.get';
    const res = await this.nemo.send({ call, method: 'GET', path: this.path(model), accept: [200, 404] });
    if (res.status === 404) return null;
    const body = parseJson(call, res.text, deploymentSchema);
    const { status, raw } = normaliseStatus(body.status_details?.status);
    const description = body.status_details?.description ?? null;
    return {
      model: body.config?.model ?? model,
      name: body.name,
      namespace: body.namespace,
      deployed: status === 'succeeded',
      status,
      rawStatus: raw,
      progress: null,
      message: description,
      error: status === 'failed' ? (description ?? 'deployment failed') : null,
    };
  }

  public async delete(model: string): Promise<void> {
    await this.nemo.send({
      call: 'deployments.delete',
      method: 'DELETE',
      path: this.path(model),
      accept: [200, 202, 204, 404],
    });
  }

  public waitUntilReady(model: string, options: WaitOptions<Deployment> = {}): Promise<Deployment> {
    const call = 'deployments.waitUntilReady';
    return waitForJob(
      call,
      async () => {
        const d = await this.get(model);
        if (!d) throw new PlatformNotFoundError(call, `deployment of ${model}`);
        if (d.status !== 'succeeded') return d;
        // Deployed is not yet servable: the NIM proxy must list the model too (§3.3 wait_for_model_sync).
        const served = await this.listServedModels();
        return served.includes(model)
          ? d
          : { ...d, status: 'running', message: 'waiting for the NIM proxy to list the model' };
      },
      { ...this.config.wait, ...options },
    );
  }

  public async listServedModels(): Promise<string[]> {
    const body = await this.nim.json({
      call: 'nim.listModels',
      method: 'GET',
      path: '/v1/models',
      schema: modelListSchema,
    });
    return body.data.map((m) => m.id);
  }

  private path(model: string): string {
    return `/v1/deployment/model-deployments/${encodeURIComponent(this.config.namespace)}/${encodeURIComponent(deploymentName(model))}`;
  }
}
