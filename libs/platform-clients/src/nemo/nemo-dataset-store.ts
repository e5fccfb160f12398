// DatasetStore on NeMo: namespaces in the Entity Store and the Data Store, files in the Data Store through the
// Hugging Face Hub protocol (the @huggingface/hub client pointed at `{datastore}/v1/hf`, as NVIDIA's "Create
// Dataset" page does with huggingface_hub's HfApi), datasets registered in the Entity Store with
// `files_url = hf://datasets/{ns}/{name}` (§3.1).
//
// Large files: the server decides. The hub client asks `preupload` and follows the answer: "regular" files go
// inline (base64) in the commit, "lfs" files are hashed, announced to the Git LFS batch API at
// `{hubUrl}/datasets/{repo}.git/info/lfs/objects/batch` (basic transfer; Xet is off) and PUT to the URL it returns,
// then committed by oid. That works against a custom endpoint; our bearer token is only sent to the Data Store's own
// origin, never to an upload URL on other storage, and uploads get their own, longer timeout.
import { HubApiError, createRepo, deleteRepo, downloadFile, uploadFile } from '@huggingface/hub';
import { z } from 'zod';
import {
  PlatformError,
  PlatformHttpError,
  PlatformNetworkError,
  PlatformResponseError,
  PlatformTimeoutError,
} from '../errors';
import { type HttpClient, parseJson } from '../http/http-client';
import { type HttpMethod, observeCall } from '../http/call-observer';
import { parseRetryAfter, withRetries } from '../http/retry';
import { inSpan } from '../http/tracing';
import { type DatasetFile, type DatasetRef, type DatasetStore, type RegisteredDataset } from '../ports/dataset-store';
import { datasetSchema } from './nemo-schemas';

/** The hub client requires an `hf_` token; our fetch replaces it with the configured one (or none). */
const HUB_PLACEHOLDER_TOKEN = 'hf_placeholder';
const NAMESPACE_OK = [200, 201, 409, 422] as const;

export interface NemoDatasetStoreOptions {
  nemo: HttpClient;
  datastore: HttpClient;
  timeoutMs: number;
  /** Per request of an upload (LFS transfers of large files). */
  uploadTimeoutMs?: number;
}

export class NemoDatasetStore implements DatasetStore {
  private readonly repos = new Set<string>();
  private readonly hubUrl: string;

  public constructor(private readonly options: NemoDatasetStoreOptions) {
    this.hubUrl = `${options.datastore.baseUrl}/v1/hf`;
  }

  public async ensureNamespace(namespace: string): Promise<void> {
    await this.options.nemo.send({
      call: 'entityStore.createNamespace',
      method: 'POST',
      path: '/v1/namespaces',
      json: { id: namespace },
      accept: NAMESPACE_OK,
      idempotent: true,
    });
    await this.options.datastore.send({
      call: 'datastore.createNamespace',
      method: 'POST',
      path: '/v1/datastore/namespaces',
      form: { namespace },
      accept: NAMESPACE_OK,
      idempotent: true,
    });
  }

  public async uploadFile(dataset: DatasetRef, file: DatasetFile): Promise<void> {
    await this.ensureRepo(dataset);
    const content = typeof file.content === 'string' ? new TextEncoder().encode(file.content) : file.content;
    // Idempotent: committing the same content to the same path again leaves the same file.
    await this.hub(
      'datastore.uploadFile',
      'POST',
      true,
      (fetch) =>
        uploadFile({
          repo: { type: 'dataset', name: repoName(dataset) },
          file: { path: file.path, content: new Blob([content]) },
          hubUrl: this.hubUrl,
          fetch,
          useXet: false,
          commitTitle: `flywheel: upload ${file.path}`,
        }),
      this.options.uploadTimeoutMs,
    );
  }

  public async registerDataset(
    dataset: DatasetRef,
    options: { description?: string } = {},
  ): Promise<RegisteredDataset> {
    const filesUrl = filesUrlOf(dataset);
    const body = {
      name: dataset.name,
      namespace: dataset.namespace,
      description: options.description ?? '',
      files_url: filesUrl,
      project: 'flywheel',
    };
    const existing = await this.getDataset(dataset);
    if (existing) {
      await this.options.nemo.send({
        call: 'entityStore.updateDataset',
        method: 'PATCH',
        path: datasetPath(dataset),
        json: body,
        idempotent: true,
      });
    } else {
      await this.options.nemo.send({
        call: 'entityStore.createDataset',
        method: 'POST',
        path: '/v1/datasets',
        json: body,
        accept: [200, 201, 409],
      });
    }
    const verified = await this.getDataset(dataset);
    if (!verified || verified.filesUrl !== filesUrl) {
      throw new PlatformResponseError(
        'entityStore.registerDataset',
        `dataset ${repoName(dataset)} has files_url ${verified?.filesUrl ?? '(missing)'}, expected ${filesUrl}`,
      );
    }
    return verified;
  }

  public async getDataset(dataset: DatasetRef): Promise<RegisteredDataset | null> {
    const call = 'entityStore.getDataset';
    const res = await this.options.nemo.send({ call, method: 'GET', path: datasetPath(dataset), accept: [200, 404] });
    if (res.status === 404) return null;
    const body = parseJson(call, res.text, datasetSchema);
    return {
      namespace: body.namespace,
      name: body.name,
      filesUrl: body.files_url,
      description: body.description ?? '',
    };
  }

  public async downloadFile(dataset: DatasetRef, path: string): Promise<string | null> {
    return this.hub('datastore.downloadFile', 'GET', true, async (fetch) => {
      try {
        const blob = await downloadFile({
          repo: { type: 'dataset', name: repoName(dataset) },
          path,
          hubUrl: this.hubUrl,
          fetch,
          accessToken: HUB_PLACEHOLDER_TOKEN,
          xet: false,
        });
        return blob ? await blob.text() : null;
      } catch (err) {
        if (err instanceof HubApiError && err.statusCode === 404) return null;
        throw err;
      }
    });
  }

  public async deleteDataset(dataset: DatasetRef): Promise<void> {
    await this.hub('datastore.deleteRepo', 'DELETE', true, async (fetch) => {
      try {
        await deleteRepo({
          repo: { type: 'dataset', name: repoName(dataset) },
          hubUrl: this.hubUrl,
          fetch,
          accessToken: HUB_PLACEHOLDER_TOKEN,
        });
      } catch (err) {
        if (!(err instanceof HubApiError && err.statusCode === 404)) throw err;
      }
    });
    this.repos.delete(repoName(dataset));
    await this.options.nemo.send({
      call: 'entityStore.deleteDataset',
      method: 'DELETE',
      path: datasetPath(dataset),
      accept: [200, 204, 404],
    });
  }

  private async ensureRepo(dataset: DatasetRef): Promise<void> {
    const name = repoName(dataset);
    if (this.repos.has(name)) return;
    await this.hub('datastore.createRepo', 'POST', true, async (fetch) => {
      try {
        await createRepo({
          repo: { type: 'dataset', name },
          hubUrl: this.hubUrl,
          fetch,
          accessToken: HUB_PLACEHOLDER_TOKEN,
        });
      } catch (err) {
        if (!(err instanceof HubApiError && err.statusCode === 409)) throw err;
      }
    });
    this.repos.add(name);
  }

  /**
   * Runs one hub-client operation with our timeout, retries (the same rules as every other call: any call after
   * 429/503 honouring Retry-After, idempotent ones after timeouts, network errors and 500/502/504), span and
   * typed errors.
   */
  private hub<T>(
    call: string,
    method: HttpMethod,
    idempotent: boolean,
    op: (fetch: typeof globalThis.fetch) => Promise<T>,
    timeoutMs = this.options.timeoutMs,
  ): Promise<T> {
    const http = this.options.datastore;
    let retryAfter: string | null = null;
    const base = http.rawFetch(timeoutMs);
    // The hub client's errors carry no headers; remember the last Retry-After we were sent.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const res = await base(input, init);
      retryAfter = res.headers.get('retry-after');
      return res;
    };
    return observeCall(http.observer, call, method, (attempted) =>
      inSpan(call, { 'url.full': this.hubUrl }, (span) =>
        withRetries(
          http.retryRuntime,
          call,
          () => {
            attempted();
            return op(fetch).catch((err: unknown) => Promise.reject(toPlatformError(call, err, timeoutMs)));
          },
          (err) => {
            if (err instanceof PlatformHttpError) {
              if (err.status === 429 || err.status === 503) {
                return { retry: true, retryAfterMs: parseRetryAfter(retryAfter) };
              }
              return { retry: idempotent && (err.status === 500 || err.status === 502 || err.status === 504) };
            }
            return {
              retry: idempotent && (err instanceof PlatformTimeoutError || err instanceof PlatformNetworkError),
            };
          },
          undefined,
          (n, err, delayMs) => span.addEvent('retry', { attempt: n, delay_ms: delayMs, error: String(err) }),
        ),
      ),
    );
  }
}

function toPlatformError(call: string, err: unknown, timeoutMs: number): PlatformError {
  if (err instanceof PlatformError) return err;
  if (err instanceof HubApiError) return new PlatformHttpError(call, err.statusCode, '', err.message);
  if (
    err instanceof Error &&
    (err.name === 'TimeoutError' || (err.cause instanceof Error && err.cause.name === 'TimeoutError'))
  ) {
    return new PlatformTimeoutError(call, timeoutMs);
  }
  if (err instanceof SyntaxError || err instanceof z.ZodError) return new PlatformResponseError(call, err.message, err);
  if (err instanceof Error && err.name === 'InvalidApiResponseFormatError')
    return new PlatformResponseError(call, err.message, err);
  return new PlatformNetworkError(call, err);
}

function repoName(d: DatasetRef): string {
  return `${d.namespace}/${d.name}`;
}

function datasetPath(d: DatasetRef): string {
  return `/v1/datasets/${encodeURIComponent(d.namespace)}/${encodeURIComponent(d.name)}`;
}

export function filesUrlOf(d: DatasetRef): string {
  return `hf://datasets/${d.namespace}/${d.name}`;
}
