// Store configuration, validated once with zod. The stores never read process.env: the service's config module
// does, and hands the result here.
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** How a store that is down at boot is retried: bounded, exponential, capped. */
export const bootRetrySchema = z
  .object({
    maxAttempts: positiveInt.default(10),
    backoffBaseMs: nonNegativeInt.default(250),
    backoffMaxMs: nonNegativeInt.default(10_000),
  })
  .refine((r) => r.backoffMaxMs >= r.backoffBaseMs, { message: 'backoffMaxMs must be >= backoffBaseMs' });

export const sqliteConfigSchema = z.object({
  /** A file path, or ':memory:' for a private in-process database. */
  path: z.string().min(1),
  /** How long a write waits for another connection's lock (SQLite's busy timeout; calls are synchronous). */
  busyTimeoutMs: positiveInt.default(5000),
  boot: bootRetrySchema.default({}),
});

export const elasticsearchConfigSchema = z.object({
  url: z.string().url(),
  /** Prefix of the index and template names, e.g. 'flywheel-' → index 'flywheel-logs'. Lowercase only (ES rule). */
  indexPrefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'indexPrefix must be lowercase letters, digits, _ . -')
    .default('flywheel-'),
  username: z.string().optional(),
  password: z.string().optional(),
  requestTimeoutMs: positiveInt.default(30_000),
  /** Refresh after each bulk append: 'wait_for' makes appended records searchable before append resolves. */
  refresh: z.union([z.literal('wait_for'), z.boolean()]).default('wait_for'),
  /** Point-in-time keep-alive while streaming, between two pages. */
  streamKeepAlive: z.string().default('2m'),
  boot: bootRetrySchema.default({}),
});

export const mongodbConfigSchema = z.object({
  url: z.string().regex(/^mongodb(\+srv)?:\/\//, 'url must be a mongodb:// or mongodb+srv:// URL'),
  db: z.string().min(1).default('flywheel'),
  /** Upper bound of every call, also passed to the driver as server-selection and socket timeouts. */
  operationTimeoutMs: positiveInt.default(15_000),
  boot: bootRetrySchema.default({}),
});

export const logStoreConfigSchema = z.discriminatedUnion('kind', [
  sqliteConfigSchema.extend({ kind: z.literal('sqlite') }),
  elasticsearchConfigSchema.extend({ kind: z.literal('elasticsearch') }),
]);

export const runStoreConfigSchema = z.discriminatedUnion('kind', [
  sqliteConfigSchema.extend({ kind: z.literal('sqlite') }),
  mongodbConfigSchema.extend({ kind: z.literal('mongodb') }),
]);

export type BootRetryConfig = z.output<typeof bootRetrySchema>;
export type SqliteConfig = z.output<typeof sqliteConfigSchema>;
export type SqliteConfigInput = z.input<typeof sqliteConfigSchema>;
export type ElasticsearchConfig = z.output<typeof elasticsearchConfigSchema>;
export type ElasticsearchConfigInput = z.input<typeof elasticsearchConfigSchema>;
export type MongodbConfig = z.output<typeof mongodbConfigSchema>;
export type MongodbConfigInput = z.input<typeof mongodbConfigSchema>;
export type LogStoreConfigInput = z.input<typeof logStoreConfigSchema>;
export type RunStoreConfigInput = z.input<typeof runStoreConfigSchema>;

export class StoreConfigError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`invalid store configuration: ${problems.join('; ')}`);
    this.name = 'StoreConfigError';
  }
}

/** Parses with a schema; problems are reported all at once, with their paths. */
export function parseStoreConfig<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new StoreConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data as z.output<S>;
}
