// Env fragments of the flywheel stores (@flywheel/stores) and their mapping to the stores' config inputs. The
// mapping checks the input with the stores' own schema, so a value the store would refuse at boot is a config problem
// named by its environment key instead.
import {
  logStoreConfigSchema,
  runStoreConfigSchema,
  type BootRetryConfig,
  type LogStoreConfigInput,
  type RunStoreConfigInput,
} from '@flywheel/stores';
import { type z } from 'zod';
import { type BuildContext } from './define-env';
import { env, secret } from './env';

/**
 * The log store: LOG_STORE_KIND, LOG_STORE_SQLITE_PATH and ELASTICSEARCH_*. The SQLite file is shared by the
 * services that read logs; each says what it does with it (the description).
 */
export function logStoreEnv(opts: { sqlitePathDescription: string }) {
  return {
    LOG_STORE_KIND: env.oneOf(['sqlite', 'elasticsearch'] as const, {
      default: 'sqlite',
      description: 'Log store backend.',
    }),
    LOG_STORE_SQLITE_PATH: env.string({ default: '.data/stores/logs.db', description: opts.sqlitePathDescription }),
    ELASTICSEARCH_URL: env.optionalUrl({ description: 'Elasticsearch URL (LOG_STORE_KIND=elasticsearch).' }),
    ELASTICSEARCH_USERNAME: env.optionalString({ description: 'Elasticsearch user.' }),
    ELASTICSEARCH_PASSWORD: secret(env.optionalString({ description: 'Elasticsearch password (secret).' })),
    ELASTICSEARCH_INDEX_PREFIX: env.string({ default: 'flywheel-', description: 'Index and template name prefix.' }),
  };
}

/** LOG_STORE_BOOT_MAX_ATTEMPTS, for a service whose log store has its own boot attempts. */
export function logStoreBootEnv() {
  return {
    LOG_STORE_BOOT_MAX_ATTEMPTS: env.int({
      default: 10,
      min: 1,
      description: 'Connection attempts per store boot round (rounds repeat until the store is up).',
    }),
  };
}

/** The run store: RUN_STORE_KIND, RUN_STORE_SQLITE_PATH, MONGODB_URL, MONGODB_DB. */
export function runStoreEnv() {
  return {
    RUN_STORE_KIND: env.oneOf(['sqlite', 'mongodb'] as const, { default: 'sqlite', description: 'Run store backend.' }),
    RUN_STORE_SQLITE_PATH: env.string({
      default: '.data/stores/runs.db',
      description: 'SQLite file of the run store.',
    }),
    // Secret: a MongoDB URL usually carries the password (mongodb://user:password@host).
    MONGODB_URL: secret(env.optionalString({ description: 'MongoDB URL (RUN_STORE_KIND=mongodb; secret).' })),
    MONGODB_DB: env.string({ default: 'flywheel', description: 'MongoDB database.' }),
  };
}

export interface LogStoreVars {
  readonly LOG_STORE_KIND: 'sqlite' | 'elasticsearch';
  readonly LOG_STORE_SQLITE_PATH: string;
  readonly ELASTICSEARCH_URL?: string | undefined;
  readonly ELASTICSEARCH_USERNAME?: string | undefined;
  readonly ELASTICSEARCH_PASSWORD?: string | undefined;
  readonly ELASTICSEARCH_INDEX_PREFIX: string;
}

export interface RunStoreVars {
  readonly RUN_STORE_KIND: 'sqlite' | 'mongodb';
  readonly RUN_STORE_SQLITE_PATH: string;
  readonly MONGODB_URL?: string | undefined;
  readonly MONGODB_DB: string;
}

export type StoreBoot = Partial<BootRetryConfig>;

/**
 * How a store that is down at boot is retried: `maxAttempts` per round, and the service's own retry backoff with its
 * cap held to 10 s (a store round should not wait as long as a failed message may).
 */
export function storeBootFrom(maxAttempts: number, backoff?: { baseMs: number; maxMs: number }): StoreBoot {
  if (backoff === undefined) return { maxAttempts };
  return {
    maxAttempts,
    backoffBaseMs: backoff.baseMs,
    backoffMaxMs: Math.max(backoff.baseMs, Math.min(backoff.maxMs, 10_000)),
  };
}

/**
 * The log store's config input. `refresh: false` trades read-your-writes for throughput (for a writer whose readers
 * come much later); left out, the store's default applies.
 */
export function logStoreConfigFrom(
  v: LogStoreVars,
  boot: StoreBoot,
  ctx: BuildContext,
  opts: { refresh?: boolean } = {},
): LogStoreConfigInput {
  const input: LogStoreConfigInput =
    v.LOG_STORE_KIND === 'sqlite'
      ? { kind: 'sqlite', path: v.LOG_STORE_SQLITE_PATH, boot }
      : {
          kind: 'elasticsearch',
          url: v.ELASTICSEARCH_URL ?? '',
          indexPrefix: v.ELASTICSEARCH_INDEX_PREFIX,
          username: v.ELASTICSEARCH_USERNAME,
          password: v.ELASTICSEARCH_PASSWORD,
          ...(opts.refresh === undefined ? {} : { refresh: opts.refresh }),
          boot,
        };
  const urlMissing = v.LOG_STORE_KIND === 'elasticsearch' && v.ELASTICSEARCH_URL === undefined;
  checkStore(logStoreConfigSchema, input, ctx, urlMissing, {
    kind: 'LOG_STORE_KIND=elasticsearch',
    fields: { path: 'LOG_STORE_SQLITE_PATH', url: 'ELASTICSEARCH_URL', indexPrefix: 'ELASTICSEARCH_INDEX_PREFIX' },
    fallback: 'LOG_STORE_KIND',
  });
  return input;
}

/** The run store's config input. */
export function runStoreConfigFrom(v: RunStoreVars, boot: StoreBoot, ctx: BuildContext): RunStoreConfigInput {
  const input: RunStoreConfigInput =
    v.RUN_STORE_KIND === 'sqlite'
      ? { kind: 'sqlite', path: v.RUN_STORE_SQLITE_PATH, boot }
      : { kind: 'mongodb', url: v.MONGODB_URL ?? '', db: v.MONGODB_DB, boot };
  const urlMissing = v.RUN_STORE_KIND === 'mongodb' && v.MONGODB_URL === undefined;
  checkStore(runStoreConfigSchema, input, ctx, urlMissing, {
    kind: 'RUN_STORE_KIND=mongodb',
    fields: { path: 'RUN_STORE_SQLITE_PATH', url: 'MONGODB_URL', db: 'MONGODB_DB' },
    fallback: 'RUN_STORE_KIND',
  });
  return input;
}

interface StoreKeys {
  /** The production backend, as `KIND_KEY=value`: its URL has no default. */
  readonly kind: string;
  /** Environment key of each field of the store's input (`url` is the backend's URL). */
  readonly fields: Readonly<Record<string, string>> & { readonly url: string };
  /** Key blamed for an issue on any other field (the kind decides which fields there are). */
  readonly fallback: string;
}

/**
 * A missing URL is the one problem reported for the store (the schema would only repeat it); otherwise the store
 * schema's issues are reported against the environment key each field comes from.
 */
function checkStore(schema: z.ZodTypeAny, input: unknown, ctx: BuildContext, urlMissing: boolean, keys: StoreKeys) {
  if (urlMissing) {
    ctx.problem(keys.fields.url, `required when ${keys.kind}`);
    return;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    ctx.problem(keys.fields[String(issue.path[0] ?? '')] ?? keys.fallback, issue.message);
  }
}
