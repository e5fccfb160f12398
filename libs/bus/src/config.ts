// Bus configuration, validated once with zod. The bus never reads process.env: the service's config module does,
// and hands the result here. Defaults suit production; tests pass the fast consumer timings.
import { z } from 'zod';
import { catalogueProblems, type Catalogue } from './catalogue';
import { BusConfigError } from './errors';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const retryConfigSchema = z
  .object({
    maxAttempts: positiveInt.default(5),
    backoffBaseMs: nonNegativeInt.default(500),
    backoffMaxMs: nonNegativeInt.default(30_000),
  })
  .refine((r) => r.backoffMaxMs >= r.backoffBaseMs, { message: 'backoffMaxMs must be >= backoffBaseMs' });

/** The kafkajs client settings; shared by the bus and the batch consumer. */
export const kafkaClientConfigSchema = z.object({
  brokers: z.array(z.string().min(1)).min(1, 'brokers must list at least one host:port'),
  clientId: z.string().min(1),
  connectionTimeoutMs: positiveInt.default(3000),
  requestTimeoutMs: positiveInt.default(30_000),
  retry: z
    .object({
      initialRetryTimeMs: positiveInt.default(300),
      maxRetryTimeMs: positiveInt.default(30_000),
      retries: nonNegativeInt.default(5),
    })
    .default({}),
  logLevel: z.enum(['nothing', 'error', 'warn', 'info', 'debug']).default('error'),
});

/** Consumer-group timings; shared by the bus and the batch consumer. */
export const consumerTimingsSchema = z
  .object({
    sessionTimeoutMs: positiveInt.default(30_000),
    rebalanceTimeoutMs: positiveInt.default(60_000),
    heartbeatIntervalMs: positiveInt.default(3000),
    maxWaitTimeMs: positiveInt.default(1000),
    metadataMaxAgeMs: positiveInt.default(300_000),
    /** Where a group with no committed offset starts: the earliest record (true) or only new ones. */
    fromBeginning: z.boolean().default(true),
    /**
     * Partitions whose records are handled at once (kafkajs `partitionsConsumedConcurrently`); records of one
     * partition — so of one key — stay in order. 1 = one record at a time for the whole consumer.
     */
    partitionsConsumedConcurrently: positiveInt.default(1),
  })
  .default({})
  // kafkajs heartbeats from its fetch loop: a fetch wait plus a heartbeat interval must fit in a session.
  .refine((c) => c.maxWaitTimeMs + c.heartbeatIntervalMs < c.sessionTimeoutMs, {
    message: 'maxWaitTimeMs + heartbeatIntervalMs must be below sessionTimeoutMs',
  });

export const kafkaBusConfigSchema = z.object({
  kafka: kafkaClientConfigSchema,
  schemaRegistry: z.object({ url: z.string().url() }),
  /** Default consumer group; its dead-letter topic is `<groupId>.dlq`. */
  groupId: z.string().min(1),
  consumer: consumerTimingsSchema,
  retry: retryConfigSchema.default({}),
  handlerTimeoutMs: positiveInt.default(30_000),
  deadLetter: z.object({ partitions: positiveInt.default(1) }).default({}),
  /**
   * The catalogue's topics are created when missing (before the first publish or subscription), all with the same
   * partition count, so it never depends on which client touched a topic first (broker auto-creation would give one
   * partition). Off where topics are provisioned by ops (ACLs).
   */
  topics: z.object({ createMissing: z.boolean().default(true), partitions: positiveInt.default(3) }).default({}),
  /** Topics this service must handle; boot fails when one has no handler. */
  subscriptions: z.array(z.string().min(1)).default([]),
  /** Run contract.validate before publishing (a PublishError instead of a dead letter downstream). */
  validateOnPublish: z.boolean().default(true),
});

export const memoryBusConfigSchema = z.object({
  groupId: z.string().min(1).default('memory'),
  retry: retryConfigSchema.default({ maxAttempts: 5, backoffBaseMs: 0, backoffMaxMs: 0 }),
  handlerTimeoutMs: positiveInt.default(30_000),
  subscriptions: z.array(z.string().min(1)).default([]),
  validateOnPublish: z.boolean().default(true),
});

export type KafkaBusConfigInput = z.input<typeof kafkaBusConfigSchema>;
export type KafkaBusConfig = z.output<typeof kafkaBusConfigSchema>;
export type MemoryBusConfigInput = z.input<typeof memoryBusConfigSchema>;
export type MemoryBusConfig = z.output<typeof memoryBusConfigSchema>;

export type KafkaBusOptions<C extends Catalogue> = KafkaBusConfigInput & { readonly catalogue: C };
export type MemoryBusOptions = MemoryBusConfigInput;

function parseWith<S extends z.ZodTypeAny>(schema: S, input: unknown, catalogue: Catalogue): z.output<S> {
  const parsed = schema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
  problems.push(...catalogueProblems(catalogue));
  if (parsed.success) {
    const subscriptions = (parsed.data as { subscriptions: string[] }).subscriptions;
    for (const topic of subscriptions) {
      if (!Object.prototype.hasOwnProperty.call(catalogue, topic)) {
        problems.push(`subscriptions: '${topic}' is not in the event catalogue`);
      }
    }
  }
  if (!parsed.success || problems.length > 0) throw new BusConfigError(problems);
  return parsed.data as z.output<S>;
}

/** Validates everything at once and throws one BusConfigError listing every problem. */
export function parseKafkaBusConfig(input: unknown, catalogue: Catalogue): KafkaBusConfig {
  return parseWith(kafkaBusConfigSchema, input, catalogue);
}

export function parseMemoryBusConfig(input: unknown, catalogue: Catalogue): MemoryBusConfig {
  return parseWith(memoryBusConfigSchema, input, catalogue);
}
