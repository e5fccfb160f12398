// kafkajs clients tuned for fast, stable tests against the embedded broker (see the broker reference,
// "Pitfalls and settings"): heartbeats ride on the fetch loop, so maxWait + heartbeat << session timeout.
import { Kafka, logLevel, type Consumer, type ConsumerConfig, type KafkaConfig } from 'kafkajs';
import { type EmbeddedKafka } from '../src';

export function fastKafka(brokers: string[], overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'test',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { initialRetryTime: 50, maxRetryTime: 1000, retries: 5 },
    ...overrides,
  });
}

export function fastConsumer(kafka: Kafka, groupId: string, overrides: Partial<ConsumerConfig> = {}): Consumer {
  return kafka.consumer({
    groupId,
    sessionTimeout: 3000,
    rebalanceTimeout: 3000,
    heartbeatInterval: 100,
    maxWaitTimeInMs: 100,
    metadataMaxAge: 1000,
    ...overrides,
  });
}

/** Polls `check` until it returns true or the deadline passes (no fixed sleeps in tests). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let counter = 0;
/** A fresh name per test so tests never share topics or groups. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Date.now().toString(36)}`;
}

/** Offsets below each partition's high watermark that none of `records` covers ("partition@offset"). */
export function unconsumedOffsets(
  broker: EmbeddedKafka,
  topic: string,
  partitions: readonly number[],
  records: readonly { partition: number; offset: string | number }[],
): string[] {
  const seen = new Set(records.map((r) => `${r.partition}@${r.offset}`));
  const missing: string[] = [];
  for (const p of partitions) {
    const hwm = broker.cluster.topics.partition(topic, p)?.log.highWatermark ?? 0;
    for (let o = 0; o < hwm; o++) if (!seen.has(`${p}@${o}`)) missing.push(`${p}@${o}`);
  }
  return missing;
}
