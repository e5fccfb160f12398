// `npm run demo`: until the flywheel services land, the demo starts the embedded stack and proves it works
// end to end with the sample production logs: schema registered, every log record published through
// kafkajs in the Confluent Avro wire format (idempotent producer, keyed by workload), consumed back by a
// two-member consumer group, decoded and checked against what was sent.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startDevStack } from './dev-stack';

const LOGS_DIR = resolve(__dirname, '../../../test/fixtures/production-logs');
const TOPIC = 'demo.llm-logs';

// A stand-in record for the demo only; the product's event catalogue lives in schemas/.
const DEMO_SCHEMA = {
  type: 'record',
  name: 'DemoLogRecord',
  namespace: 'flywheel.demo',
  doc: 'One logged LLM call (demo schema).',
  fields: [
    { name: 'workload_id', type: 'string' },
    { name: 'client_id', type: 'string' },
    { name: 'timestamp', type: 'long' },
    { name: 'request_json', type: 'string' },
    { name: 'response_json', type: 'string' },
  ],
};

interface DemoRecord {
  workload_id: string;
  client_id: string;
  timestamp: number;
  request_json: string;
  response_json: string;
}

function loadLogs(): DemoRecord[] {
  const files = readdirSync(LOGS_DIR).filter((f) => f.endsWith('.jsonl'));
  return files.flatMap((file) =>
    readFileSync(join(LOGS_DIR, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line, i) => {
        const raw = JSON.parse(line) as Record<string, unknown>;
        const { workload_id, client_id, timestamp, request, response } = raw;
        if (typeof workload_id !== 'string' || typeof client_id !== 'string' || typeof timestamp !== 'number') {
          throw new Error(`${file}:${i + 1}: expected workload_id, client_id and timestamp`);
        }
        return {
          workload_id,
          client_id,
          timestamp,
          request_json: JSON.stringify(request),
          response_json: JSON.stringify(response),
        };
      }),
  );
}

function step(msg: string): void {
  console.log(`• ${msg}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const logs = loadLogs();
  step(`loaded ${logs.length} sample production log records from test/fixtures/production-logs`);

  const stack = await startDevStack();
  step(`embedded Kafka at ${stack.bootstrapServers.join(',')}, schema registry at ${stack.schemaRegistryUrl}`);
  const consumers: Consumer[] = [];
  try {
    const registry = new SchemaRegistry({ host: stack.schemaRegistryUrl });
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(DEMO_SCHEMA) },
      { subject: `${TOPIC}-value` },
    );
    step(`registered Avro schema flywheel.demo.DemoLogRecord as id ${id}`);

    const kafka = (clientId: string): Kafka =>
      new Kafka({ clientId, brokers: stack.bootstrapServers, logLevel: logLevel.NOTHING });
    const admin = kafka('demo-admin').admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] });
    await admin.disconnect();

    const received = new Map<string, DemoRecord>();
    const perMember = new Map<string, number>();
    const perWorkload = new Map<string, number>();
    let mismatches = 0;
    const byContent = new Set(logs.map((r) => JSON.stringify(r)));
    const assigned = new Map<string, number>();
    for (const member of ['member-a', 'member-b']) {
      const consumer = kafka(member).consumer({
        groupId: 'demo-readers',
        sessionTimeout: 6000,
        heartbeatInterval: 200,
        maxWaitTimeInMs: 200,
      });
      consumers.push(consumer);
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        assigned.set(member, e.payload.memberAssignment[TOPIC]?.length ?? 0);
      });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (!message.value) return;
          const record = (await registry.decode(message.value)) as DemoRecord;
          if (!byContent.has(JSON.stringify(record))) mismatches++;
          received.set(`${partition}:${message.offset}`, record);
          perMember.set(member, (perMember.get(member) ?? 0) + 1);
          perWorkload.set(record.workload_id, (perWorkload.get(record.workload_id) ?? 0) + 1);
        },
      });
    }
    // Both members in the group before anything is published, so the partitions are shared out.
    const shared = (): boolean =>
      assigned.size === 2 &&
      [...assigned.values()].every((n) => n > 0) &&
      (assigned.get('member-a') ?? 0) + (assigned.get('member-b') ?? 0) === 3;
    while (!shared() && Date.now() < started + 20_000) await new Promise((r) => setTimeout(r, 20));
    step(`consumer group demo-readers: ${[...assigned].map(([m, n]) => `${m} owns ${n} partition(s)`).join(', ')}`);

    const producer = kafka('demo-producer').producer({ idempotent: true });
    await producer.connect();
    const t0 = Date.now();
    const messages = await Promise.all(
      logs.map(async (r) => ({ key: r.workload_id, value: await registry.encode(id, r) })),
    );
    for (let i = 0; i < messages.length; i += 500) {
      await producer.send({ topic: TOPIC, acks: -1, messages: messages.slice(i, i + 500) });
    }
    await producer.disconnect();
    step(`published ${messages.length} records (idempotent producer, acks=all) in ${Date.now() - t0} ms`);

    const deadline = Date.now() + 30_000;
    while (received.size < logs.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    step(
      `consumer group demo-readers read ${received.size} records: ` +
        [...perMember].map(([m, n]) => `${m} ${n}`).join(', '),
    );

    console.log('\n  workload              records');
    for (const [w, n] of [...perWorkload].sort()) console.log(`  ${w.padEnd(22)}${String(n).padStart(7)}`);
    console.log('');
    if (received.size !== logs.length || mismatches > 0) {
      throw new Error(`expected ${logs.length} identical records back, got ${received.size} (${mismatches} differ)`);
    }
    step(`every record came back intact; done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(
      '\nNext: `npm run kafka` keeps the stack running for your own clients (kcat, kafkajs, confluent-kafka).',
    );
  } finally {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
