// Configuration of the batch consumer, validated once with zod like the bus's (one BusConfigError lists every
// problem). Client settings and group timings are the bus's own schemas, so a service configures both alike.
import { z } from 'zod';
import { type Catalogue } from '../catalogue';
import { consumerTimingsSchema, kafkaClientConfigSchema } from '../config';
import { BusConfigError } from '../errors';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const kafkaBatchConsumerConfigSchema = z.object({
  kafka: kafkaClientConfigSchema,
  schemaRegistry: z.object({ url: z.string().url() }),
  /** The consumer group; its dead-letter topic is `<groupId>.dlq`, as on the bus. */
  groupId: z.string().min(1),
  consumer: consumerTimingsSchema,
  /** How much one fetch brings: the bound on what is in memory besides the batch being handled. */
  fetch: z
    .object({
      maxBytes: positiveInt.default(10 * 1024 * 1024),
      maxBytesPerPartition: positiveInt.default(1024 * 1024),
      /** Batches of different partitions handled at once (their handler calls overlap). */
      partitionsConsumedConcurrently: positiveInt.default(1),
      /**
       * Group members this consumer runs (each a kafkajs consumer with its own fetch loop). With 2, one member's
       * fetch is in flight while the other's batch is handled; useful up to the number of partitions.
       */
      members: positiveInt.default(1),
    })
    .default({}),
  /**
   * A batch whose handler throws (or times out) is offered again after a capped exponential backoff, with no
   * attempt limit: a failing dependency holds the partition back (backpressure), it never drops records.
   */
  retry: z
    .object({ backoffBaseMs: nonNegativeInt.default(250), backoffMaxMs: nonNegativeInt.default(30_000) })
    .default({})
    .refine((r) => r.backoffMaxMs >= r.backoffBaseMs, { message: 'backoffMaxMs must be >= backoffBaseMs' }),
  /** Upper bound of one handler call; past it the attempt counts as failed and its signal aborts. */
  handlerTimeoutMs: positiveInt.default(120_000),
  /** Records whose value is larger go to the dead-letter topic (`decode:too-large`) without being decoded. */
  maxValueBytes: positiveInt.optional(),
  deadLetter: z.object({ partitions: positiveInt.default(1) }).default({}),
  /** Create subscribed topics that do not exist yet (with this many partitions) instead of relying on auto-creation. */
  topics: z.object({ createMissing: z.boolean().default(false), partitions: positiveInt.default(1) }).default({}),
});

export type KafkaBatchConsumerConfigInput = z.input<typeof kafkaBatchConsumerConfigSchema>;
export type KafkaBatchConsumerConfig = z.output<typeof kafkaBatchConsumerConfigSchema>;
export type KafkaBatchConsumerOptions<C extends Catalogue> = KafkaBatchConsumerConfigInput & { readonly catalogue: C };

export function parseKafkaBatchConsumerConfig(input: unknown): KafkaBatchConsumerConfig {
  const parsed = kafkaBatchConsumerConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new BusConfigError(
      parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}
