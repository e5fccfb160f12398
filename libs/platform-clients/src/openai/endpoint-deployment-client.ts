// Deployments on an OpenAI-compatible backend are the endpoints named in config: nothing is deployed or torn
// down; "deployed" means the endpoint lists the model in `/v1/models`.
import { PlatformArgumentError, PlatformError } from '../errors';
import { type HttpClient } from '../http/http-client';
import { type Deployment, type DeploymentClient, type DeploymentSpec } from '../ports/deployment-client';
import { type WaitOptions } from '../ports/jobs';
import { type PlatformRuntime } from '../platform';
import { waitForJob } from '../wait-for-job';
import { type EndpointConfig, type OpenAICompatibleConfig } from './openai-compatible-config';
import { endpointHttp } from './openai-chat-client';
import { modelListSchema } from './schemas';

export class EndpointDeploymentClient implements DeploymentClient {
  private readonly endpoints: Map<string, { config: EndpointConfig; http: HttpClient }>;

  public constructor(config: OpenAICompatibleConfig, runtime: PlatformRuntime = {}) {
    this.endpoints = new Map(
      [...config.endpoints, config.judge, ...(config.embedding ? [config.embedding] : [])].map((e) => [
        e.model,
        {
          config: e,
          http: endpointHttp({
            ...e,
            timeoutMs: config.timeoutMs,
            retry: config.retry,
            fetch: runtime.fetch,
            observer: runtime.observer,
          }),
        },
      ]),
    );
  }

  public async deploy(spec: DeploymentSpec): Promise<Deployment> {
    const found = await this.get(spec.model);
    if (!found) {
      throw new PlatformArgumentError('endpoints.deploy', `model ${spec.model} is not one of the configured endpoints`);
    }
    return found;
  }

  public async get(model: string): Promise<Deployment | null> {
    const endpoint = this.endpoints.get(model);
    if (!endpoint) return null;
    let ids: string[] | null = null;
    let message: string | null = null;
    try {
      ids = await this.modelsOf(endpoint.http, 'endpoints.getDeployment');
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      message = err.message; // unreachable endpoints read as "not ready yet", so waiting can ride out restarts
    }
    const deployed = ids?.includes(model) ?? false;
    return {
      model,
      name: model,
      namespace: '',
      deployed,
      status: deployed ? 'succeeded' : 'pending',
      rawStatus: deployed ? 'ready' : ids ? 'model-not-listed' : 'unreachable',
      progress: null,
      message,
      error: null,
    };
  }

  public delete(_model: string): Promise<void> {
    return Promise.resolve(); // pre-existing endpoints are not ours to tear down
  }

  public waitUntilReady(model: string, options: WaitOptions<Deployment> = {}): Promise<Deployment> {
    return waitForJob(
      'endpoints.waitUntilReady',
      async () => {
        const d = await this.get(model);
        if (!d) throw new PlatformArgumentError('endpoints.waitUntilReady', `model ${model} is not configured`);
        return d;
      },
      { pollIntervalMs: 2000, timeoutMs: 600_000, ...options },
    );
  }

  public async listServedModels(): Promise<string[]> {
    const byUrl = new Map<string, HttpClient>();
    for (const e of this.endpoints.values()) byUrl.set(e.config.baseUrl, e.http);
    const lists = await Promise.all([...byUrl.values()].map((http) => this.modelsOf(http, 'endpoints.listModels')));
    return [...new Set(lists.flat())].sort();
  }

  public endpointFor(model: string): EndpointConfig | undefined {
    return this.endpoints.get(model)?.config;
  }

  private async modelsOf(http: HttpClient, call: string): Promise<string[]> {
    const body = await http.json({ call, method: 'GET', path: '/models', schema: modelListSchema });
    return body.data.map((m) => m.id);
  }
}
