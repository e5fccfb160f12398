// The idempotent producer: one InitProducerId, exactly-once appends, retried duplicates answered with
// their original offset, sequence gaps refused, and no loss or duplication across dropped connections.
import { type KafkaMessage } from 'kafkajs';
import { ApiKey, startEmbeddedKafka, type EmbeddedKafka } from '../src';
import { crc32c } from '../src/protocol/crc32c';
import { fastConsumer, fastKafka, uniqueName, waitFor } from './kafkajs-fixtures';
import { asSent, rawProduce, type RawProduceResult } from './raw-client';

describe('idempotent producer', () => {
  let broker: EmbeddedKafka;

  beforeAll(async () => {
    broker = await startEmbeddedKafka();
  });

  afterAll(async () => {
    await broker.stop();
  });

  const log = (topic: string) => {
    const p = broker.cluster.topics.partition(topic, 0);
    if (!p) throw new Error(`no partition ${topic}-0`);
    return p.log;
  };

  /** An idempotent kafkajs producer with its own client id (so its requests can be told apart). */
  async function idempotentProducer(clientId: string) {
    const producer = fastKafka(broker.bootstrapServers, { clientId }).producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    return producer;
  }

  async function consumeValues(topic: string, count: number): Promise<KafkaMessage[]> {
    const consumer = fastConsumer(fastKafka(broker.bootstrapServers), uniqueName('g'));
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    try {
      await waitFor(() => seen.length >= count, 10_000, `${count} records`);
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  const produce = (topic: string, records: Buffer): Promise<RawProduceResult> =>
    rawProduce(broker.bootstrapServers[0]!, topic, records);

  it('sends one InitProducerId and stores every record exactly once', async () => {
    const clientId = uniqueName('idem-client');
    const topic = uniqueName('idem');
    const producer = await idempotentProducer(clientId);
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic, messages: [0, 1, 2].map((j) => ({ value: `b${i}-${j}` })) });
    }
    await producer.disconnect();

    const mine = broker.requests.filter((t) => t.clientId === clientId);
    const inits = mine.filter((t) => t.apiKey === ApiKey.InitProducerId);
    expect(inits).toEqual([expect.objectContaining({ apiKey: ApiKey.InitProducerId, apiVersion: 1 })]);
    expect(mine.filter((t) => t.apiKey === ApiKey.Produce)).toHaveLength(5);

    const batches = [...log(topic).batches()];
    expect(batches).toHaveLength(5);
    const pid = batches[0]!.producerId;
    expect(pid).toBeGreaterThanOrEqual(0);
    expect(batches.map((b) => [b.producerId, b.producerEpoch, b.baseSequence, b.baseOffset])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [pid, 0, i * 3, i * 3]),
    );
    expect(log(topic).highWatermark).toBe(15);

    const seen = await consumeValues(topic, 15);
    expect(seen.map((m) => m.value?.toString())).toEqual(
      [0, 1, 2, 3, 4].flatMap((i) => [0, 1, 2].map((j) => `b${i}-${j}`)),
    );
  });

  it('answers a replayed batch (same producer id, epoch and sequence) with its original offset and stores nothing', async () => {
    const topic = uniqueName('replay');
    const producer = await idempotentProducer(uniqueName('replay-client'));
    for (let i = 0; i < 3; i++) {
      await producer.send({ topic, messages: [0, 1].map((j) => ({ value: `r${i}-${j}` })) });
    }
    await producer.disconnect();
    const batches = [...log(topic).batches()];
    expect(batches.map((b) => b.baseOffset)).toEqual([0, 2, 4]);

    // The middle batch again, byte for byte: a retry whose first response was lost.
    const res = await produce(topic, asSent(batches[1]!.bytes));
    expect(res).toMatchObject({ topic, partition: 0, errorCode: 0, baseOffset: 2 });
    // And the last one, the usual case.
    expect(await produce(topic, asSent(batches[2]!.bytes))).toMatchObject({ errorCode: 0, baseOffset: 4 });
    expect(log(topic).highWatermark).toBe(6);
    expect([...log(topic).batches()]).toHaveLength(3);
  });

  it('refuses a batch whose sequence leaves a gap with OUT_OF_ORDER_SEQUENCE_NUMBER (45)', async () => {
    const topic = uniqueName('gap');
    const producer = await idempotentProducer(uniqueName('gap-client'));
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.send({ topic, messages: [{ value: 'c' }, { value: 'd' }] });
    await producer.disconnect();
    const last = [...log(topic).batches()].at(-1)!;
    expect(last.baseSequence).toBe(2);

    // The next expected sequence is 4; claim 4 + 5, re-sealed with a valid CRC so only the sequence is wrong.
    const gap = asSent(last.bytes);
    gap.writeInt32BE(last.baseSequence + 2 + 5, 53);
    gap.writeUInt32BE(crc32c(gap, 21, gap.length), 17);
    const res = await produce(topic, gap);
    expect(res).toMatchObject({ errorCode: 45, baseOffset: -1 });
    expect(log(topic).highWatermark).toBe(4);

    // The batch with the expected sequence is still accepted afterwards.
    const next = asSent(last.bytes);
    next.writeInt32BE(last.baseSequence + 2, 53);
    next.writeUInt32BE(crc32c(next, 21, next.length), 17);
    expect(await produce(topic, next)).toMatchObject({ errorCode: 0, baseOffset: 4 });
    expect(log(topic).highWatermark).toBe(6);
  });

  it('neither loses nor duplicates records when connections drop between sends', async () => {
    const topic = uniqueName('drops');
    const clientId = uniqueName('drops-client');
    const producer = await idempotentProducer(clientId);
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      const values = [`d${i}-0`, `d${i}-1`];
      await producer.send({ topic, messages: values.map((value) => ({ value })) });
      sent.push(...values);
      if (i % 2 === 0) broker.dropConnections();
    }
    await producer.disconnect();
    // Still one producer id for the whole stream: reconnecting does not re-initialise it.
    expect(broker.requests.filter((t) => t.clientId === clientId && t.apiKey === ApiKey.InitProducerId)).toHaveLength(
      1,
    );
    expect(log(topic).highWatermark).toBe(12);
    const seen = await consumeValues(topic, 12);
    expect(seen.map((m) => m.value?.toString())).toEqual(sent);
  });

  it('dedupes the retry when a Produce is appended but its response is lost to a dropped connection', async () => {
    const topic = uniqueName('lost-ack');
    const clientId = uniqueName('lost-ack-client');
    const producer = await idempotentProducer(clientId);
    await producer.send({ topic, messages: [{ value: 'first' }] });

    let dropped = false;
    let hwmAfterLostAck = -1;
    const remove = broker.intercept((t) => {
      if (dropped || t.clientId !== clientId || t.apiKey !== ApiKey.Produce) return 'continue';
      dropped = true;
      // Close every connection now; the request is still handled (appended), but its answer is lost.
      broker.dropConnections();
      setImmediate(() => (hwmAfterLostAck = log(topic).highWatermark));
      return Promise.resolve('continue');
    });
    try {
      const [res] = await producer.send({ topic, messages: [{ value: 'second-0' }, { value: 'second-1' }] });
      expect(res?.baseOffset).toBe('1'); // the retry got the original offset back
    } finally {
      remove();
    }
    await producer.disconnect();

    expect(dropped).toBe(true);
    expect(hwmAfterLostAck).toBe(3); // the lost attempt was appended
    expect(
      broker.requests.filter((t) => t.clientId === clientId && t.apiKey === ApiKey.Produce).length,
    ).toBeGreaterThanOrEqual(3); // first send, the lost attempt, its retry
    expect(log(topic).highWatermark).toBe(3);
    const seen = await consumeValues(topic, 3);
    expect(seen.map((m) => m.value?.toString())).toEqual(['first', 'second-0', 'second-1']);
  });
});
