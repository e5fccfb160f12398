// The broker's connection layer with exact bytes: framing, ordering, acks=0, and bad input that must close
// only the offending connection.
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, startEmbeddedKafka, type EmbeddedKafka } from '../src';
import { Writer } from '../src/protocol/codec';
import { frame, RawClient, reader } from './raw-client';

describe('broker connection handling', () => {
  let broker: EmbeddedKafka;
  const logs: string[] = [];

  beforeAll(async () => {
    broker = await startEmbeddedKafka({ maxRequestBytes: 64 * 1024, log: (l) => logs.push(l) });
  });

  afterAll(async () => {
    await broker.stop();
  });

  const bootstrap = (): string => broker.bootstrapServers[0] as string;
  const metadataV1AllTopics = (): Buffer => new Writer().int32(-1).toBuffer();

  it('answers two frames sent in one write, in order', async () => {
    const c = await RawClient.connect(bootstrap());
    c.write(Buffer.concat([frame(ApiKey.ApiVersions, 0, 11), frame(ApiKey.Metadata, 1, 12, metadataV1AllTopics())]));
    const res = await c.responsesAfter(2);
    expect(res.map((r) => r.correlationId)).toEqual([11, 12]);
    c.close();
  });

  it('reassembles one frame split across three writes', async () => {
    const c = await RawClient.connect(bootstrap());
    const bytes = frame(ApiKey.ApiVersions, 2, 21);
    c.write(bytes.subarray(0, 3));
    await new Promise((r) => setTimeout(r, 20));
    c.write(bytes.subarray(3, 9));
    await new Promise((r) => setTimeout(r, 20));
    c.write(bytes.subarray(9));
    const [res] = await c.responsesAfter(1);
    expect(res?.correlationId).toBe(21);
    expect(reader(res?.body ?? Buffer.alloc(0)).int16()).toBe(0);
    c.close();
  });

  it('answers ApiVersions above v2 with UNSUPPORTED_VERSION and the supported ranges (librdkafka starts at v3)', async () => {
    const c = await RawClient.connect(bootstrap());
    c.write(frame(ApiKey.ApiVersions, 3, 31, Buffer.from([0, 0, 0])));
    const [res] = await c.responsesAfter(1);
    const r = reader(res?.body ?? Buffer.alloc(0));
    expect(r.int16()).toBe(35);
    const ranges = r.array((r) => ({ key: r.int16(), min: r.int16(), max: r.int16() }));
    expect(ranges).toContainEqual({ key: ApiKey.ApiVersions, min: 0, max: 2 });
    expect(ranges).toContainEqual({ key: ApiKey.Produce, min: 0, max: 7 });
    c.close();
  });

  it('sends nothing for an acks=0 produce and keeps answering later requests', async () => {
    const c = await RawClient.connect(bootstrap());
    const produceAcks0 = new Writer()
      .nullableString(null)
      .int16(0)
      .int32(1000)
      .array([], () => undefined)
      .toBuffer();
    c.write(Buffer.concat([frame(ApiKey.Produce, 7, 41, produceAcks0), frame(ApiKey.ApiVersions, 0, 42)]));
    const res = await c.responsesAfter(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(res.map((r) => r.correlationId)).toEqual([42]);
    c.close();
  });

  it.each([
    ['garbage bytes', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['an oversized frame', Buffer.from([0x00, 0x10, 0x00, 0x00, 0, 0])],
    ['a negative frame size', Buffer.from([0xff, 0xff, 0xff, 0xf0])],
    ['an unknown API key', frame(999, 0, 1)],
    ['an unsupported version', frame(ApiKey.Produce, 8, 1)],
    ['a truncated body', frame(ApiKey.Metadata, 1, 1, Buffer.from([0, 0, 0, 5, 0, 3]))],
  ])('closes only the connection that sent %s, with a log line', async (_what, bytes) => {
    const before = logs.length;
    const bad = await RawClient.connect(bootstrap());
    const good = await RawClient.connect(bootstrap());
    bad.write(bytes);
    expect(await bad.waitClosed()).toBe(true);
    expect(logs.slice(before).some((l) => l.includes('closing connection'))).toBe(true);
    good.write(frame(ApiKey.ApiVersions, 0, 7));
    const [res] = await good.responsesAfter(1);
    expect(res?.correlationId).toBe(7);
    good.close();
  });

  it('rejects a produced batch with a bad CRC without storing it', async () => {
    const kafka = new Kafka({ brokers: broker.bootstrapServers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const topic = `crc-${Date.now()}`;
    broker.createTopic(topic, 1);
    // Capture a real kafkajs batch, then corrupt one byte inside the CRC range and replay it raw.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'good' }] });
    await producer.disconnect();
    const stored = [...(broker.cluster.topics.partition(topic, 0)?.log.batches() ?? [])][0];
    const batch = Buffer.from(stored?.bytes ?? Buffer.alloc(0));
    batch.writeBigInt64BE(0n, 0);
    batch[batch.length - 1] = (batch[batch.length - 1] ?? 0) ^ 0xff;
    const body = new Writer()
      .nullableString(null)
      .int16(-1)
      .int32(1000)
      .array([topic], (w, t) => w.string(t).array([0], (w, p) => w.int32(p).bytes(batch)))
      .toBuffer();
    const c = await RawClient.connect(bootstrap());
    c.write(frame(ApiKey.Produce, 7, 51, body));
    const [res] = await c.responsesAfter(1);
    const r = reader(res?.body ?? Buffer.alloc(0));
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ index: r.int32(), error: r.int16() })),
    }));
    expect(topics[0]?.partitions[0]?.error).toBe(2); // CORRUPT_MESSAGE
    expect(broker.cluster.topics.partition(topic, 0)?.log.highWatermark).toBe(1);
    c.close();
  });
});
