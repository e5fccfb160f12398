// The baseline: a bare kafkajs consumer group member in its own process reading the whole topic (eachBatch, no
// processing), timed from run() to the last record, as the ingester is timed from consumer start to the last write.
import { Kafka, logLevel } from 'kafkajs';

export interface BareJob {
  readonly brokers: string[];
  readonly topic: string;
  readonly records: number;
}

async function run(job: BareJob): Promise<void> {
  const kafka = new Kafka({ clientId: 'bare-consumer', brokers: job.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `bare-${Date.now()}`,
    maxBytes: 16 * 1024 * 1024,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: job.topic, fromBeginning: true });
  let consumed = 0;
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length;
        if (consumed >= job.records) resolve();
        await Promise.resolve();
      },
    });
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await consumer.disconnect();
  process.send?.({ kind: 'done', seconds });
}

process.once('message', (job: BareJob) => {
  run(job).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
