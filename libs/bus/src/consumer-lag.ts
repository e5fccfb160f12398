// How far each consumer group of a bus is behind, read from the broker's committed offsets rather than from the
// batches a consumer happens to receive: a paused or stuck consumer gets no batches, yet its lag must keep growing
// on the dashboard. Kafka, the batch consumer and the in-memory twin all implement the port, and the service kit
// probes whichever of them a service runs.

/** Records of one partition after the group's committed offset (what it has not finished yet). */
export interface PartitionLag {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly records: number;
}

export interface ConsumerLagOptions {
  /** The whole read (every admin request) must finish within this; it fails with kind 'timeout' otherwise. */
  readonly timeoutMs: number;
}

/** Anything that consumes: reports the lag of every group and subscribed partition it runs (none before start). */
export interface ConsumerLagSource {
  consumerLag(options: ConsumerLagOptions): Promise<readonly PartitionLag[]>;
}

export function isConsumerLagSource(value: unknown): value is ConsumerLagSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { consumerLag?: unknown }).consumerLag === 'function'
  );
}

/** timeout: no answer in time; broker: the broker refused or the connection failed. */
export type ConsumerLagErrorKind = 'timeout' | 'broker';

export class ConsumerLagError extends Error {
  public constructor(
    public readonly kind: ConsumerLagErrorKind,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`reading consumer lag failed (${kind}): ${detail}`, options);
    this.name = 'ConsumerLagError';
  }
}

/**
 * Lag of one partition from its watermarks and the group's committed offset (-1: none yet). Without a commit, or
 * with one the retention already deleted, the consumer starts where kafkajs resets it: the low watermark when it
 * reads from the beginning, else the end (nothing behind).
 */
export function partitionLag(p: {
  readonly low: string;
  readonly high: string;
  readonly committed: string;
  readonly fromBeginning: boolean;
}): number {
  const low = BigInt(p.low);
  const high = BigInt(p.high);
  const committed = BigInt(p.committed);
  const reset = p.fromBeginning ? low : high;
  const next = committed < 0n || committed < low ? reset : committed;
  const behind = high - next;
  return behind > 0n ? Number(behind) : 0;
}

/** Rejects with a ConsumerLagError('timeout') when `work` takes longer than `timeoutMs`. */
export async function withinTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ConsumerLagError('timeout', `${what}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
