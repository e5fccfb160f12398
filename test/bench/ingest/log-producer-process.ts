// One benchmark producer in its own process: encodes its share of production-log records as the catalogue's Avro
// event in the Confluent wire format (every record a distinct event id, so every one is stored), sends them with
// acks=-1 and reports when all are acknowledged. Production is preparation, not what the benchmark times.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Type, type Schema } from 'avsc';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { encodeWire } from '@flywheel/bus';
import { LlmCallLoggedV1Schema, parseLlmCall } from '@flywheel/contracts';

export interface ProducerJob {
  readonly brokers: string[];
  readonly topic: string;
  readonly schemaId: number;
  /** Record numbers [from, to) are this producer's share. */
  readonly from: number;
  readonly to: number;
}

const FIXTURES = resolve(__dirname, '../../fixtures/production-logs');
const BATCH = 1000;
const IN_FLIGHT = 4;

function lines(): Record<string, unknown>[] {
  return ['bfcl-live-simple.jsonl', 'bfcl-multiple.jsonl', 'bfcl-simple-python.jsonl', 'gsm8k-chat.jsonl'].flatMap(
    (f) =>
      readFileSync(join(FIXTURES, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

function eventId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

async function run(job: ProducerJob): Promise<void> {
  const type = Type.forSchema(LlmCallLoggedV1Schema as unknown as Schema);
  const samples = lines();
  const kafka = new Kafka({
    clientId: `ingest-bench-${process.pid}`,
    brokers: job.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let next = job.from;
  const batchOf = (): Message[] => {
    const messages: Message[] = [];
    for (; next < job.to && messages.length < BATCH; next++) {
      const line = samples[next % samples.length] ?? {};
      const payload = parseLlmCall({ ...line, timestamp: 1767225600 + next }, { eventId: eventId(next) });
      messages.push({ key: payload.workload_id, value: encodeWire(job.schemaId, type.toBuffer(payload)) });
    }
    return messages;
  };
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let messages = batchOf(); messages.length > 0; messages = batchOf()) {
        await producer.send({ topic: job.topic, acks: -1, messages });
      }
    }),
  );
  await producer.disconnect();
  process.send?.({ kind: 'done' });
}

process.once('message', (job: ProducerJob) => {
  run(job).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
