// @flywheel/platform-clients: typed ports for the model platform, with NeMo and OpenAI-compatible adapters.
export * from './errors';
export * from './status';
export * from './platform';
export * from './wait-for-job';
export * from './ports/chat-client';
export * from './ports/customization-client';
export * from './ports/dataset-store';
export * from './ports/deployment-client';
export * from './ports/embedding-client';
export * from './ports/evaluation-client';
export * from './ports/jobs';
export { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse, parseJson } from './http/http-client';
export { type RetryPolicy, backoffDelay, parseRetryAfter, retryPolicySchema } from './http/retry';
export {
  type HttpTransport,
  type ResponseHeaders,
  type TransportRequest,
  type TransportResponse,
  fetchTransport,
} from './http/http-transport';
export { NodeHttpTransport } from './http/node-http-transport';
export {
  errorKindOf,
  type HttpMethod,
  type PlatformCallEvent,
  type PlatformCallOutcome,
  type PlatformErrorKind,
  type PlatformObserver,
} from './http/call-observer';
export { FlywheelPlatformAttr, GenAiAttr, GenAiOperation, GenAiProvider } from './http/genai-attributes';
export { canonicalJson, parseArguments } from './util/canonical-json';
export { slug, deploymentName } from './util/names';
export { readZip, writeZip, ZipFormatError, type ReadZipOptions, type WriteZipOptions } from './util/zip';
export * from './evaluation/eval-records';
export * from './evaluation/judge-prompts';
export * from './evaluation/local-evaluation-engine';
export * from './evaluation/nemo-eval-config';
export * from './evaluation/tool-call-metrics';
export * from './openai/openai-compatible-config';
export * from './openai/openai-compatible-platform';
export { OpenAIChatClient, type OpenAIEndpointOptions } from './openai/openai-chat-client';
export { OpenAIEmbeddingClient } from './openai/openai-embedding-client';
export { EndpointDeploymentClient } from './openai/endpoint-deployment-client';
export { InMemoryDatasetStore } from './openai/in-memory-dataset-store';
export { FileDatasetStore } from './openai/file-dataset-store';
export { LocalEvaluationClient } from './openai/local-evaluation-client';
export * from './nemo/nemo-config';
export * from './nemo/nemo-platform';
export { NemoDatasetStore, filesUrlOf } from './nemo/nemo-dataset-store';
export { NemoDeploymentClient } from './nemo/nemo-deployment-client';
export { NemoCustomizationClient } from './nemo/nemo-customization-client';
export { NemoEvaluationClient } from './nemo/nemo-evaluation-client';
export {
  type DownloadedSamples,
  type NemoSampleRecord,
  nemoSampleRecordSchema,
  samplesFromDownload,
} from './nemo/nemo-eval-samples';
