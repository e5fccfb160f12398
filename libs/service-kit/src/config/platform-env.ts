// Env fragment of the model platform (@flywheel/platform-clients) shared by every service that talks to it: the NeMo
// microservices (or the platform simulator, the default) or OpenAI-compatible endpoints we do not manage. The mapping
// checks the input with the platform's own schemas, so a value the client would refuse is a config problem named by
// its environment key.
import {
  createNemoPlatform,
  createOpenAICompatiblePlatform,
  nemoConfigSchema,
  openAICompatibleConfigSchema,
  type NemoConfigInput,
  type OpenAICompatibleConfigInput,
  type Platform,
  type PlatformRuntime,
} from '@flywheel/platform-clients';
import { z } from 'zod';
import { type BuildContext } from './define-env';
import { env, secret } from './env';

export const DEFAULT_PLATFORM_URL = 'http://127.0.0.1:8080';

const jsonObject = z.record(z.unknown());

/**
 * PLATFORM_BACKEND, NEMO_* and OPENAI_COMPATIBLE_CONFIG, PLATFORM_TIMEOUT_MS, PLATFORM_POLL_INTERVAL_MS and
 * DATASETS_DIR. Defaults reach the platform simulator (`npm run simulator`) with no settings at all.
 */
export function platformEnv() {
  return {
    PLATFORM_BACKEND: env.oneOf(['nemo', 'openai-compatible'] as const, {
      default: 'nemo',
      description: 'The NeMo microservices (or the simulator), or OpenAI-compatible endpoints we do not manage.',
    }),
    NEMO_BASE_URL: env.url({
      default: DEFAULT_PLATFORM_URL,
      description: 'Entity Store, Customizer, Evaluator and Deployment Management ingress (the simulator by default).',
    }),
    NEMO_DATASTORE_URL: env.optionalUrl({ description: 'Data Store (HF Hub protocol); default NEMO_BASE_URL.' }),
    NEMO_NIM_URL: env.optionalUrl({ description: 'NIM proxy (OpenAI-compatible inference); default NEMO_BASE_URL.' }),
    NEMO_NAMESPACE: env.string({ default: 'dfwbp', description: 'Namespace of datasets, configs and models.' }),
    NEMO_HF_TOKEN: secret(env.optionalString({ description: 'Bearer token for the Data Store (secret).' })),
    NEMO_NIM_API_KEY: secret(env.optionalString({ description: 'Bearer token for the NIM proxy (secret).' })),
    // Secret: endpoints and the judge may carry API keys.
    OPENAI_COMPATIBLE_CONFIG: secret(
      env.json(jsonObject, {
        default: {},
        description:
          'PLATFORM_BACKEND=openai-compatible: JSON {endpoints:[{model,baseUrl,apiKey?,contextLength?}], judge, embedding?, evaluation?} (secret: may hold API keys).',
      }),
    ),
    PLATFORM_TIMEOUT_MS: env.int({ default: 30_000, min: 1, description: 'Per platform call.' }),
    PLATFORM_UPLOAD_TIMEOUT_MS: env.int({ default: 600_000, min: 1, description: 'Per request of a file upload.' }),
    PLATFORM_POLL_INTERVAL_MS: env.int({
      default: 5000,
      min: 1,
      description: 'How often a platform job (deployment, customization, evaluation) is polled.',
    }),
    PLATFORM_JOB_TIMEOUT_MS: env.int({
      default: 6 * 3_600_000,
      min: 1,
      description: 'Longest a platform job may run before it is given up on.',
    }),
    PLATFORM_JOB_STALL_TIMEOUT_MS: env.int({
      default: 3_600_000,
      min: 1,
      description: 'Longest a platform job may show no progress before it is given up on.',
    }),
    DATASETS_DIR: env.string({
      default: '.data/datasets',
      description: 'Dataset directory of the OpenAI-compatible backend, shared by the builder and the evaluator.',
    }),
  };
}

export interface PlatformVars {
  readonly PLATFORM_BACKEND: 'nemo' | 'openai-compatible';
  readonly NEMO_BASE_URL: string;
  readonly NEMO_DATASTORE_URL?: string | undefined;
  readonly NEMO_NIM_URL?: string | undefined;
  readonly NEMO_NAMESPACE: string;
  readonly NEMO_HF_TOKEN?: string | undefined;
  readonly NEMO_NIM_API_KEY?: string | undefined;
  readonly OPENAI_COMPATIBLE_CONFIG: Record<string, unknown>;
  readonly PLATFORM_TIMEOUT_MS: number;
  readonly PLATFORM_UPLOAD_TIMEOUT_MS: number;
  readonly PLATFORM_POLL_INTERVAL_MS: number;
  readonly PLATFORM_JOB_TIMEOUT_MS: number;
  readonly PLATFORM_JOB_STALL_TIMEOUT_MS: number;
  readonly DATASETS_DIR: string;
}

export type PlatformConfig =
  | { readonly backend: 'nemo'; readonly namespace: string; readonly nemo: NemoConfigInput }
  | { readonly backend: 'openai-compatible'; readonly namespace: string; readonly openai: OpenAICompatibleConfigInput };

/** How long to poll platform jobs (every port's `wait*` takes these). */
export interface PlatformWait {
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly stallTimeoutMs: number;
}

export function platformWaitFrom(v: PlatformVars): PlatformWait {
  return {
    pollIntervalMs: v.PLATFORM_POLL_INTERVAL_MS,
    timeoutMs: v.PLATFORM_JOB_TIMEOUT_MS,
    stallTimeoutMs: v.PLATFORM_JOB_STALL_TIMEOUT_MS,
  };
}

export function platformConfigFrom(v: PlatformVars, ctx: BuildContext): PlatformConfig {
  if (v.PLATFORM_BACKEND === 'nemo') {
    const nemo: NemoConfigInput = {
      nemoBaseUrl: v.NEMO_BASE_URL,
      datastoreBaseUrl: v.NEMO_DATASTORE_URL ?? v.NEMO_BASE_URL,
      nimBaseUrl: v.NEMO_NIM_URL ?? v.NEMO_BASE_URL,
      namespace: v.NEMO_NAMESPACE,
      hfToken: v.NEMO_HF_TOKEN,
      nimApiKey: v.NEMO_NIM_API_KEY,
      timeoutMs: v.PLATFORM_TIMEOUT_MS,
      uploadTimeoutMs: v.PLATFORM_UPLOAD_TIMEOUT_MS,
      wait: platformWaitFrom(v),
    };
    const parsed = nemoConfigSchema.safeParse(nemo);
    if (!parsed.success) for (const i of parsed.error.issues) ctx.problem('NEMO_BASE_URL', issueText(i));
    return { backend: 'nemo', namespace: v.NEMO_NAMESPACE, nemo };
  }
  const openai = { ...v.OPENAI_COMPATIBLE_CONFIG, datasetsDir: v.DATASETS_DIR } as OpenAICompatibleConfigInput;
  const parsed = openAICompatibleConfigSchema.safeParse(openai);
  if (!parsed.success) for (const i of parsed.error.issues) ctx.problem('OPENAI_COMPATIBLE_CONFIG', issueText(i));
  return { backend: 'openai-compatible', namespace: v.NEMO_NAMESPACE, openai };
}

/** Every port of the configured backend. */
export function createPlatform(config: PlatformConfig, runtime: PlatformRuntime = {}): Platform {
  return config.backend === 'nemo'
    ? createNemoPlatform(config.nemo, runtime)
    : createOpenAICompatiblePlatform(config.openai, runtime);
}

function issueText(issue: z.ZodIssue): string {
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}
