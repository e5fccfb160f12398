// One benchmark producer in its own process: waits for "go", sends its share of 1 KiB records with
// acks=-1, and reports when every send was acknowledged.
import { Kafka, logLevel, type Message } from 'kafkajs';

interface Job {
  brokers: string[];
  topic: string;
  records: number;
  recordBytes: number;
  batch: number;
  inFlight: number;
}

async function run(job: Job): Promise<void> {
  const kafka = new Kafka({
    clientId: `bench-producer-${process.pid}`,
    brokers: job.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(job.recordBytes, 'x');
  const messages: Message[] = Array.from({ length: job.batch }, (_, i) => ({ key: String(i), value }));
  process.send?.({ kind: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const sends = Math.ceil(job.records / job.batch);
  let next = 0;
  await Promise.all(
    Array.from({ length: job.inFlight }, async () => {
      while (next < sends) {
        next++;
        await producer.send({ topic: job.topic, acks: -1, messages });
      }
    }),
  );
  process.send?.({ kind: 'done' });
  await producer.disconnect();
}

process.once('message', (job: Job) => {
  run(job).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
