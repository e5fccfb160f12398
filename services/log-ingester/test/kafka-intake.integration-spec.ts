// The ingester consuming both topics on the embedded broker: valid records stored (redacted, stable ids, epoch
// millis), every named bad input dead-lettered with its reason while its neighbours are stored, and the per-workload
// "logs ingested" events.
import { Type, type Schema } from 'avsc';
import { encodeWire, type KafkaEventBus } from '@flywheel/bus';
import { LlmCallLoggedV1Schema, type catalogue, type LogsIngestedV1 } from '@flywheel/contracts';
import { type SqliteLogStore } from '@flywheel/stores';
import {
  DLQ,
  JSON_TOPIC,
  Topics,
  avroPayload,
  avroPublisher,
  decodeAvro,
  header,
  openStore,
  produce,
  readTopic,
  registeredId,
  sampleLogLines,
  startIngester,
  startStack,
  storedRecords,
  testEnv,
  waitFor,
  type RunningIngester,
  type Stack,
} from './ingester-fixtures';

let stack: Stack;
let ingester: RunningIngester | undefined;
let publisher: KafkaEventBus<typeof catalogue> | undefined;
let reader: SqliteLogStore | undefined;

beforeEach(async () => {
  stack = await startStack();
});

afterEach(async () => {
  await ingester?.service.close();
  await publisher?.close();
  await reader?.close();
  ingester = undefined;
  publisher = undefined;
  reader = undefined;
  await stack.stop();
});

const lines = sampleLogLines();
const line = (i: number): Record<string, unknown> => lines[i % lines.length] ?? {};

describe('Avro topic (flywheel.log.llm-call-logged.v1)', () => {
  it('should store valid records and dead-letter each bad one with its reason, neighbours stored', async () => {
    publisher = await avroPublisher(stack);
    const first = avroPayload(line(0));
    await publisher.publish(Topics.llmCallLoggedV1, first);
    const id = await registeredId(stack, Topics.llmCallLoggedV1);
    const type = Type.forSchema(LlmCallLoggedV1Schema as unknown as Schema);
    const body = (p: object): Buffer => type.toBuffer(p);
    const bad: { value: Buffer; reason: string; error: RegExp }[] = [
      {
        value: encodeWire(4711, body(avroPayload(line(1)))),
        reason: 'decode:unknown-schema',
        error: /schema id 4711 is not in the registry/,
      },
      { value: encodeWire(id, Buffer.from([0xff, 0xff, 0x01])), reason: 'decode:corrupt', error: /does not decode/ },
      {
        value: Buffer.from(JSON.stringify(line(2))),
        reason: 'decode:magic',
        error: /not in the Confluent wire format/,
      },
      {
        value: encodeWire(id, body(avroPayload(line(3), { workload_id: ' ' }))),
        reason: 'decode:invalid-payload',
        error: /workload_id must not be empty/,
      },
      {
        value: encodeWire(id, body(avroPayload(line(4), { client_id: 'x'.repeat(40_000) }))),
        reason: 'decode:too-large',
        error: /over the limit of 30000 bytes/,
      },
    ];
    await produce(
      stack.brokers,
      Topics.llmCallLoggedV1,
      bad.map((b) => b.value),
    );
    const last = avroPayload(line(5), { log_id: 'app-call-77' });
    await publisher.publish(Topics.llmCallLoggedV1, last);

    ingester = await startIngester(testEnv(stack, { INGESTER_MAX_RECORD_BYTES: '30000' }));
    const dead = await readTopic(stack.brokers, DLQ, bad.length);
    reader = await openStore(stack);
    await waitFor(async () => (await storedRecords(reader!, [first.workload_id, last.workload_id])).length === 2);

    const stored = await storedRecords(reader, [first.workload_id, last.workload_id]);
    expect(stored.map((s) => s.id).sort()).toEqual([first.event_id, 'app-call-77'].sort());
    const storedFirst = stored.find((s) => s.id === first.event_id);
    expect(storedFirst?.record).toEqual(first);
    expect(storedFirst?.source).toBe(`kafka:${Topics.llmCallLoggedV1}:0:0`);
    expect(dead.map((m) => header(m, 'dlq-reason'))).toEqual(bad.map((b) => b.reason));
    // The bad records went out in one send with one key: one partition (the topic has several), consecutive offsets.
    const partition = header(dead[0]!, 'dlq-source-partition');
    const firstOffset = Number(header(dead[0]!, 'dlq-source-offset'));
    dead.forEach((m, i) => {
      expect(header(m, 'dlq-error')).toMatch(bad[i]!.error);
      expect(header(m, 'dlq-source-partition')).toBe(partition);
      expect(header(m, 'dlq-source-offset')).toBe(String(firstOffset + i));
      expect(m.value).toEqual(bad[i]!.value);
    });
    const metrics = (await ingester.get('/metrics')).body;
    expect(metrics).toMatch(
      /flywheel_log_dead_letters_total\{reason="decode:unknown-schema",service="log-ingester"\} 1/,
    );
    expect(metrics).toMatch(/flywheel_log_records_stored_total\{source="kafka-avro",service="log-ingester"\} 2/);
  });
});

describe('JSON topic (flywheel.log.llm-call-json.v1)', () => {
  it('should store valid records and dead-letter every named bad input with its reason', async () => {
    const good: Record<string, unknown> = { ...line(0), timestamp: 1767225600 };
    const withId: Record<string, unknown> = { ...line(1), log_id: 'call-42', timestamp: '2026-01-01T00:00:05.250Z' };
    const invalidUtf8 = Buffer.concat([Buffer.from('{"workload_id": "w'), Buffer.from([0xff]), Buffer.from('"}')]);
    const bad: { value: Buffer | string; reason: string; error: RegExp }[] = [
      { value: 'not json at all', reason: 'decode:corrupt', error: /^not JSON: Unexpected token 'o'/ },
      { value: '[1, 2, 3]', reason: 'decode:invalid-payload', error: /not a JSON object: got an array/ },
      {
        value: JSON.stringify({ ...line(2), workload_id: undefined }),
        reason: 'decode:invalid-payload',
        error: /workload_id: required/,
      },
      {
        value: JSON.stringify({ ...line(3), client_id: 7, timestamp: 'yesterday' }),
        reason: 'decode:invalid-payload',
        error: /client_id: expected string, got number; timestamp: Invalid datetime/,
      },
      {
        value: JSON.stringify({ ...line(4), padding: 'x'.repeat(40_000) }),
        reason: 'decode:too-large',
        error: /over the limit of 30000 bytes/,
      },
      { value: invalidUtf8, reason: 'decode:corrupt', error: /not valid UTF-8: bad byte sequence at byte offset 18/ },
    ];
    await produce(stack.brokers, JSON_TOPIC, [
      JSON.stringify(good),
      ...bad.map((b) => b.value),
      JSON.stringify(withId),
    ]);

    ingester = await startIngester(testEnv(stack, { INGESTER_MAX_RECORD_BYTES: '30000' }));
    const dead = await readTopic(stack.brokers, DLQ, bad.length);
    reader = await openStore(stack);
    const workloads = [String(good.workload_id), String(withId.workload_id)];
    await waitFor(async () => (await storedRecords(reader!, workloads)).length === 2);

    const stored = await storedRecords(reader, workloads);
    expect(stored.map((s) => s.id).sort()).toEqual(['call-42', `${JSON_TOPIC}-0-0`]);
    const byId = new Map(stored.map((s) => [s.id, s]));
    expect(byId.get(`${JSON_TOPIC}-0-0`)?.record.timestamp).toBe(1767225600_000);
    expect(byId.get('call-42')?.record.timestamp).toBe(Date.UTC(2026, 0, 1, 0, 0, 5, 250));
    expect(byId.get('call-42')?.source).toBe(`kafka:${JSON_TOPIC}:0:${bad.length + 1}`);
    expect(dead.map((m) => header(m, 'dlq-reason'))).toEqual(bad.map((b) => b.reason));
    dead.forEach((m, i) => expect(header(m, 'dlq-error')).toMatch(bad[i]!.error));
  });
});

describe('what reaches the store and the event stream', () => {
  it('should redact PII before storing and count redactions per detector', async () => {
    const pii: Record<string, unknown> = {
      ...line(0),
      request: {
        model: 'm',
        messages: [{ role: 'user', content: 'I am jane.doe@example.com, card 4111 1111 1111 1111' }],
      },
    };
    ingester = await startIngester(testEnv(stack));
    await produce(stack.brokers, JSON_TOPIC, [JSON.stringify(pii)]);
    reader = await openStore(stack);
    await waitFor(async () => (await storedRecords(reader!, [String(pii.workload_id)])).length === 1);

    const [stored] = await storedRecords(reader, [String(pii.workload_id)]);
    expect(stored?.record.request.messages[0]?.content).toBe('I am <EMAIL>, card <CREDIT_CARD>');
    const metrics = (await ingester.get('/metrics')).body;
    expect(metrics).toContain('flywheel_pii_redactions_total{detector="email",service="log-ingester"} 1');
    expect(metrics).toContain('flywheel_pii_redactions_total{detector="credit_card",service="log-ingester"} 1');
  });

  it('should emit per-workload "logs ingested" events that count a redelivered record once', async () => {
    publisher = await avroPublisher(stack);
    const a = avroPayload(line(0));
    const b = avroPayload(line(0));
    await publisher.publish(Topics.llmCallLoggedV1, a);
    await publisher.publish(Topics.llmCallLoggedV1, b);
    await publisher.publish(Topics.llmCallLoggedV1, a); // the same event again: a producer retry
    ingester = await startIngester(testEnv(stack));

    const [event] = await decodeAvro<LogsIngestedV1>(stack, await readTopic(stack.brokers, Topics.logsIngestedV1, 1));
    expect(event).toMatchObject({
      workload_id: a.workload_id,
      records_since_last: 2,
      total_records: 2,
      client_ids: [a.client_id],
      newest_record_at: Math.max(a.timestamp, b.timestamp),
      ingester_instance: 'test-ingester',
    });
  });
});
