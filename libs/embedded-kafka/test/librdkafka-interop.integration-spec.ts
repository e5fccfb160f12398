// librdkafka (through Debian's kcat) against the embedded broker: metadata, acks=all produce, consume with
// headers, consumer groups and commits, every compression codec, the idempotent producer, and the exact
// (API, version) pairs librdkafka sends, which must all lie inside the ranges the broker advertises.
// kcat is an optional local dependency: without it the suite is skipped loudly (and fails on CI, which installs it).
import { CompressionTypes, PartitionAssigners, Partitioners, type Assigner, type KafkaMessage } from 'kafkajs';
import { apiHandlers, apiName, startEmbeddedKafka, type EmbeddedKafka } from '../src';
import { describeRun, findKcat, runKcat, startKcat, type KcatResult } from './kcat';
import { fastConsumer, fastKafka, uniqueName, waitFor } from './kafkajs-fixtures';

const KCAT = findKcat();
const MISSING = 'kcat (librdkafka) not found: install Debian package kcat; skipping librdkafka interop tests';
if (KCAT === null) {
  if (process.env.CI === 'true') {
    describe('librdkafka interop prerequisites', () => {
      it('finds kcat on PATH (CI installs the Debian package kcat)', () => {
        throw new Error('kcat (librdkafka) not found on PATH and CI=true: CI must install the Debian package kcat');
      });
    });
  } else {
    console.warn(MISSING);
  }
}
const describeWithKcat = KCAT === null ? describe.skip : describe;

/** Codec bits (attributes & 7) of a RecordBatch, per codec name as kcat -z spells it. */
const CODEC_BITS = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

/** librdkafka's request names (rd_kafka_ApiKey2str) that differ from the broker's API names. */
const LIBRDKAFKA_NAME_ALIASES: Record<string, string> = { ApiVersion: 'ApiVersions' };

describeWithKcat('librdkafka (kcat) interop', () => {
  const kcat = KCAT ?? 'kcat';
  let broker: EmbeddedKafka;
  const brokerLog: string[] = [];

  beforeAll(async () => {
    broker = await startEmbeddedKafka({ log: (l) => brokerLog.push(l) });
  });

  afterAll(async () => {
    await broker.stop();
  });

  const bootstrap = (): string => broker.bootstrapServers[0]!;

  /** Options every kcat run gets: this broker, short socket timeouts, quick metadata refresh for groups. */
  const base = (): string[] => [
    '-b',
    bootstrap(),
    '-X',
    'socket.timeout.ms=5000',
    '-X',
    'topic.metadata.refresh.interval.ms=1000',
  ];

  /** Runs kcat and fails the test with its full output unless it exited 0 on its own. */
  async function kcatOk(args: string[], input?: string, timeoutMs = 15_000): Promise<KcatResult> {
    const all = [...base(), ...args];
    const r = await runKcat(kcat, all, { input, timeoutMs });
    if (r.code !== 0 || r.timedOut) throw new Error(`kcat failed:\n${describeRun(all, r)}`);
    return r;
  }

  /** Produces `lines` (one record per line) with kcat -P and acks=all. */
  function kcatProduce(topic: string, lines: string[], extra: string[] = []): Promise<KcatResult> {
    return kcatOk(
      ['-P', '-t', topic, '-X', 'acks=all', '-X', 'message.timeout.ms=10000', ...extra],
      lines.join('\n') + '\n',
    );
  }

  interface KcatRecord {
    partition: number;
    offset: number;
    key: string;
    value: string;
    headers: string;
    timestamp: number;
  }

  const FORMAT = '%p\\t%o\\t%k\\t%s\\t%h\\t%T\\n';

  function parseRecords(stdout: string): KcatRecord[] {
    return stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [p, o, key, value, headers, ts] = l.split('\t');
        return {
          partition: Number(p),
          offset: Number(o),
          key: key!,
          value: value!,
          headers: headers!,
          timestamp: Number(ts),
        };
      })
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  /** Reads a whole topic from the beginning with kcat -C -e (exits once every partition is at its end). */
  async function kcatConsumeAll(topic: string): Promise<KcatRecord[]> {
    const r = await kcatOk(['-C', '-t', topic, '-o', 'beginning', '-e', '-Z', '-f', FORMAT]);
    return parseRecords(r.stdout);
  }

  async function kafkajsConsumeAll(
    topic: string,
    count: number,
  ): Promise<{ partition: number; message: KafkaMessage }[]> {
    const consumer = fastConsumer(fastKafka(broker.bootstrapServers), uniqueName('kafkajs-reader'));
    const seen: { partition: number; message: KafkaMessage }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push({ partition, message }) });
    try {
      await waitFor(() => seen.length >= count, 10_000, `${count} records from ${topic}`);
      // Anything beyond `count` would be a duplicate: give it a moment to show up.
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await consumer.disconnect();
    }
    return seen.sort((a, b) => a.partition - b.partition || Number(a.message.offset) - Number(b.message.offset));
  }

  function storedCodecs(topic: string, partition: number): number[] {
    return [...broker.cluster.topics.partition(topic, partition)!.log.batches()].map(
      (b) => b.bytes.readInt16BE(21) & 0x07,
    );
  }

  it('lists the broker and a 3-partition topic created through the Kafka API (kcat -L -J)', async () => {
    const topic = uniqueName('meta');
    const admin = fastKafka(broker.bootstrapServers).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const r = await kcatOk(['-L', '-J']);
    const md = JSON.parse(r.stdout) as {
      controllerid: number;
      brokers: { id: number; name: string }[];
      topics: {
        topic: string;
        error?: string;
        partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[];
      }[];
    };
    expect(md.brokers).toEqual([{ id: 0, name: bootstrap() }]);
    expect(md.controllerid).toBe(0);
    const t = md.topics.find((x) => x.topic === topic);
    expect(t).toBeDefined();
    expect(t?.error).toBeUndefined();
    expect(t?.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    for (const p of t?.partitions ?? []) {
      expect(p.leader).toBe(broker.cluster.topics.partition(topic, p.partition)?.leader);
      expect(p.leader).toBe(0);
      expect(p.replicas).toEqual([{ id: 0 }]);
      expect(p.isrs).toEqual([{ id: 0 }]);
    }
  });

  it('produces keyed records with acks=all that kafkajs reads back on the Java-compatible partitions', async () => {
    const topic = uniqueName('rdk-produce');
    broker.createTopic(topic, 3);
    const records = [
      ['alpha', 'v1'],
      ['bravo', 'v2'],
      ['charlie', 'v3'],
      ['alpha', 'v4'],
      ['delta', 'v5'],
      ['echo', 'v6'],
      ['bravo', 'v7'],
      ['foxtrot', 'v8'],
    ] as const;
    // murmur2_random is librdkafka's Java-compatible partitioner, the same hash as kafkajs's DefaultPartitioner.
    await kcatProduce(
      topic,
      records.map(([k, v]) => `${k}:${v}`),
      ['-K:', '-X', 'partitioner=murmur2_random'],
    );

    const partitionFor = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    const expected = records.map(([key, value]) => ({
      partition: partitionFor({ topic, partitionMetadata, message: { key, value } }),
      key,
      value,
    }));
    expect(new Set(expected.map((e) => e.partition)).size).toBeGreaterThan(1); // the keys really spread

    const seen = await kafkajsConsumeAll(topic, records.length);
    expect(seen).toHaveLength(records.length);
    const got = seen.map(({ partition, message }) => ({
      partition,
      key: message.key?.toString(),
      value: message.value?.toString(),
    }));
    // On the partitions Java/kafkajs would pick, in produce order per partition (stable sort), offsets from 0.
    expect(got).toEqual([...expected].sort((a, b) => a.partition - b.partition));
    for (const p of [0, 1, 2]) {
      const offsets = seen.filter((s) => s.partition === p).map((s) => Number(s.message.offset));
      expect(offsets).toEqual(offsets.map((_, i) => i));
      expect(broker.cluster.topics.partition(topic, p)?.log.highWatermark).toBe(offsets.length);
    }
  });

  it('consumes gzip records with keys, headers and timestamps that kafkajs produced (kcat -C -f)', async () => {
    const topic = uniqueName('kjs-produce');
    broker.createTopic(topic, 2);
    const producer = fastKafka(broker.bootstrapServers).producer();
    await producer.connect();
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [
        { partition: 0, key: 'k0', value: 'zero', timestamp: '1700000000000', headers: { trace: 'abc' } },
        { partition: 0, key: null, value: 'no-key', timestamp: '1700000000001' },
        {
          partition: 1,
          key: 'k2',
          value: 'two',
          timestamp: '1700000000002',
          headers: { multi: ['x', 'y'], single: 'z' },
        },
      ],
    });
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [{ partition: 1, key: 'k3', value: 'three', timestamp: '1700000000003' }],
    });
    await producer.disconnect();
    expect(storedCodecs(topic, 0)).toEqual([CODEC_BITS.gzip]);
    expect(storedCodecs(topic, 1)).toEqual([CODEC_BITS.gzip, CODEC_BITS.gzip]);

    const got = await kcatConsumeAll(topic);
    expect(got).toEqual([
      { partition: 0, offset: 0, key: 'k0', value: 'zero', headers: 'trace=abc', timestamp: 1700000000000 },
      { partition: 0, offset: 1, key: 'NULL', value: 'no-key', headers: '', timestamp: 1700000000001 },
      {
        partition: 1,
        offset: 0,
        key: 'k2',
        value: 'two',
        headers: 'multi=x,multi=y,single=z',
        timestamp: 1700000000002,
      },
      { partition: 1, offset: 1, key: 'k3', value: 'three', headers: '', timestamp: 1700000000003 },
    ]);
  });

  it('consumes in a consumer group (kcat -G -e) and commits the end offsets on close', async () => {
    const topic = uniqueName('rdk-group');
    const groupId = uniqueName('rdk-group');
    broker.createTopic(topic, 3);
    const counts = [3, 2, 4];
    const producer = fastKafka(broker.bootstrapServers).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: counts.flatMap((n, partition) =>
        Array.from({ length: n }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
      ),
    });
    await producer.disconnect();

    const r = await kcatOk([
      '-G',
      groupId,
      '-e',
      '-f',
      FORMAT,
      '-X',
      'auto.offset.reset=earliest',
      '-X',
      'heartbeat.interval.ms=200',
      topic,
    ]);
    const got = parseRecords(r.stdout);
    expect(got.map((x) => x.value)).toEqual(
      counts.flatMap((n, partition) => Array.from({ length: n }, (_, i) => `p${partition}-${i}`)),
    );
    expect(r.stderr).toMatch(new RegExp(`Group ${groupId} rebalanced .*assigned: `));

    const admin = fastKafka(broker.bootstrapServers).admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    const committed = offsets[0]?.partitions
      .map((p) => [p.partition, p.offset])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    const highWatermarks = [0, 1, 2].map((p) => [
      p,
      String(broker.cluster.topics.partition(topic, p)?.log.highWatermark),
    ]);
    expect(highWatermarks).toEqual([
      [0, '3'],
      [1, '2'],
      [2, '4'],
    ]);
    expect(committed).toEqual(highWatermarks);
  });

  it('shares a group between a kafkajs consumer and a kcat member (common "roundrobin" assignor)', async () => {
    const topic = uniqueName('mixed');
    const groupId = uniqueName('mixed-group');
    broker.createTopic(topic, 4);
    const kafka = fastKafka(broker.bootstrapServers);
    // kafkajs's round-robin assignor under librdkafka's protocol name, so the two agree on a protocol.
    const roundrobin = (config: Parameters<typeof PartitionAssigners.roundRobin>[0]): Assigner => ({
      ...PartitionAssigners.roundRobin(config),
      name: 'roundrobin',
    });
    const kjsSeen: { partition: number; value: string }[] = [];
    let kjsAssigned: number[] = [];
    const consumer = fastConsumer(kafka, groupId, { partitionAssigners: [roundrobin] });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      kjsAssigned = [...(e.payload.memberAssignment[topic] ?? [])].sort();
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => void kjsSeen.push({ partition, value: message.value!.toString() }),
    });
    await waitFor(() => kjsAssigned.length === 4, 10_000, 'kafkajs to own all four partitions');

    const member = startKcat(
      kcat,
      [
        ...base(),
        '-u', // unbuffered stdout: records show up while kcat runs
        '-G',
        groupId,
        '-f',
        FORMAT,
        '-X',
        'partition.assignment.strategy=roundrobin',
        '-X',
        'auto.offset.reset=earliest',
        '-X',
        'heartbeat.interval.ms=100',
        '-X',
        'session.timeout.ms=6000',
        '-X',
        'fetch.wait.max.ms=100',
        topic,
      ],
      { timeoutMs: 30_000 },
    );
    try {
      // The rebalance settles with two partitions on each member.
      const kcatAssigned = (): number[] => {
        const last = [...member.stderr().matchAll(/rebalanced .*: (assigned|revoked): (.*)$/gm)].at(-1);
        if (last?.[1] !== 'assigned') return [];
        return [...last[2]!.matchAll(/\[(\d+)\]/g)].map((p) => Number(p[1])).sort();
      };
      await waitFor(
        () => kcatAssigned().length === 2 && kjsAssigned.length === 2,
        15_000,
        'kcat and kafkajs to hold two partitions each',
      );
      const kcatPartitions = kcatAssigned();
      expect([...kcatPartitions, ...kjsAssigned].sort()).toEqual([0, 1, 2, 3]);

      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: [0, 1, 2, 3].flatMap((partition) =>
          Array.from({ length: 3 }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
        ),
      });
      await producer.disconnect();
      const kcatSeen = (): KcatRecord[] => parseRecords(member.stdout());
      await waitFor(() => kjsSeen.length + kcatSeen().length >= 12, 10_000, '12 records across both members');
      await new Promise((r) => setTimeout(r, 300)); // no duplicates trail in

      expect([...new Set(kcatSeen().map((r) => r.partition))].sort()).toEqual(kcatPartitions);
      expect([...new Set(kjsSeen.map((r) => r.partition))].sort()).toEqual(
        [0, 1, 2, 3].filter((p) => !kcatPartitions.includes(p)),
      );
      expect([...kcatSeen().map((r) => r.value), ...kjsSeen.map((r) => r.value)].sort()).toEqual(
        [0, 1, 2, 3].flatMap((p) => [0, 1, 2].map((i) => `p${p}-${i}`)).sort(),
      );

      // kcat leaves (SIGTERM: it commits, then sends LeaveGroup); kafkajs takes over all four partitions and
      // resumes kcat's two from kcat's commits, so nothing is delivered twice.
      const stopped = await member.stop();
      expect(stopped.timedOut).toBe(false);
      await waitFor(() => kjsAssigned.length === 4, 10_000, 'kafkajs to take over all four partitions');
      const before = kjsSeen.length;
      const producer2 = kafka.producer();
      await producer2.connect();
      await producer2.send({
        topic,
        messages: [0, 1, 2, 3].map((partition) => ({ partition, value: `p${partition}-3` })),
      });
      await producer2.disconnect();
      await waitFor(() => kjsSeen.length >= before + 4, 10_000, 'the four records after the handover');
      await new Promise((r) => setTimeout(r, 300));
      expect(
        kjsSeen
          .slice(before)
          .map((r) => r.value)
          .sort(),
      ).toEqual(['p0-3', 'p1-3', 'p2-3', 'p3-3']);
    } finally {
      await member.stop();
      await consumer.disconnect();
    }
  });

  describe.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)('compression %s', (codec) => {
    it(`stores librdkafka's ${codec} batches untouched and serves them back`, async () => {
      const topic = uniqueName(`rdk-${codec}`);
      broker.createTopic(topic, 1);
      const values = Array.from({ length: 40 }, (_, i) => `${codec}-record-${i}-${'x'.repeat(50)}`);
      const r = await kcatProduce(topic, values, ['-z', codec, '-X', 'linger.ms=20', '-d', 'msg']);
      // librdkafka < 2.8 compresses gzip/snappy/lz4 only when Produce v0 is inside the advertised range
      // (confluentinc/librdkafka#4956); otherwise it logs this notice and sends the batch uncompressed.
      const notCompressed = r.stderr.split('\n').filter((l) => /: not compressing batch/.test(l));
      expect(notCompressed).toEqual([]);

      const codecs = storedCodecs(topic, 0);
      expect(codecs.length).toBeGreaterThan(0);
      expect(codecs).toEqual(codecs.map(() => CODEC_BITS[codec]));
      expect(broker.cluster.topics.partition(topic, 0)?.log.highWatermark).toBe(values.length);

      const back = await kcatConsumeAll(topic);
      expect(back.map((r) => [r.offset, r.value])).toEqual(values.map((v, i) => [i, v]));
      if (codec === 'gzip') {
        // kafkajs ships only the gzip codec.
        const seen = await kafkajsConsumeAll(topic, values.length);
        expect(seen.map((s) => s.message.value?.toString())).toEqual(values);
      }
    });
  });

  it('sends only (API, version) pairs inside the advertised ranges, with only the v3→v0 ApiVersions retry', async () => {
    const topic = uniqueName('versions');
    const groupId = uniqueName('versions-group');
    broker.createTopic(topic, 2);
    const clientId = uniqueName('rdk-versions');
    const debug = ['-X', `client.id=${clientId}`, '-d', 'protocol,broker,feature'];
    const logStart = brokerLog.length;

    const runs = [
      await kcatOk([...debug, '-L']),
      await kcatProduce(topic, ['a:1', 'b:2', 'c:3', 'd:4'], ['-K:', '-X', 'enable.idempotence=true', ...debug]),
      await kcatOk([...debug, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', FORMAT]),
      await kcatOk([...debug, '-G', groupId, '-e', '-X', 'auto.offset.reset=earliest', '-f', FORMAT, topic]),
    ];
    const stderr = runs.map((r) => r.stderr).join('\n');

    const sent = [...stderr.matchAll(/Sent (\w+)Request \(v(\d+),/g)].map(([, name, v]) => ({
      name: LIBRDKAFKA_NAME_ALIASES[name!] ?? name!,
      version: Number(v),
    }));
    const pairs = [...new Set(sent.map((s) => `${s.name} v${s.version}`))].sort();
    console.log(`librdkafka ${/librdkafka v([\d.]+)/.exec(stderr)?.[1] ?? '?'} sent: ${pairs.join(', ')}`);

    const byName = new Map([...apiHandlers.values()].map((h) => [h.name, h]));
    const outOfRange = sent.filter((s) => {
      const h = byName.get(s.name);
      if (!h) return true;
      if (h.name === 'ApiVersions') return s.version !== 3 && (s.version < h.minVersion || s.version > h.maxVersion);
      return s.version < h.minVersion || s.version > h.maxVersion;
    });
    expect(outOfRange).toEqual([]);
    // Everything the workload needs was actually exercised.
    for (const api of ['Metadata', 'Produce', 'InitProducerId', 'Fetch', 'ListOffsets', 'FindCoordinator']) {
      expect(pairs.some((p) => p.startsWith(`${api} v`))).toBe(true);
    }
    for (const api of ['JoinGroup', 'SyncGroup', 'OffsetFetch', 'OffsetCommit', 'LeaveGroup']) {
      expect(pairs.some((p) => p.startsWith(`${api} v`))).toBe(true);
    }

    // ApiVersions: each connection tries v3 (flexible), gets UNSUPPORTED_VERSION, retries v0 once, and nothing else.
    const apiVersions = sent.filter((s) => s.name === 'ApiVersions').map((s) => s.version);
    const v3 = apiVersions.filter((v) => v === 3).length;
    expect(v3).toBeGreaterThan(0);
    expect(apiVersions.filter((v) => v === 0)).toHaveLength(v3);
    expect(apiVersions.filter((v) => v !== 0 && v !== 3)).toEqual([]);
    expect(stderr.match(/ApiVersionRequest v3 failed due to UNSUPPORTED_VERSION: retrying with v0/g)).toHaveLength(v3);
    // The only protocol errors librdkafka reports come from parsing our v0-format answer to its v3 request: the
    // compact-array read of our int32 count (first byte 0 → -1) and the resulting parse failure, once per attempt.
    const expectedProtoErrors = [
      /Protocol parse failure for ApiVersion v3\(flex\) at 3\//,
      /: ApiArrayCnt -1 out of range$/,
    ];
    const protoErrors = stderr.split('\n').filter((l) => /PROTOERR|Required feature not supported/.test(l));
    for (const re of expectedProtoErrors) expect(protoErrors.filter((l) => re.test(l))).toHaveLength(v3);
    expect(protoErrors.filter((l) => !expectedProtoErrors.some((re) => re.test(l)))).toEqual([]);

    // Features librdkafka derives from our ranges (section 0 of the broker reference).
    const features = [...stderr.matchAll(/Updated enabled protocol features to (\S+)/g)].map((m) => m[1]!.split(','));
    expect(features.length).toBeGreaterThan(0);
    for (const f of features) {
      expect(f).toEqual(
        expect.arrayContaining([
          'ApiVersion',
          'MsgVer2',
          'BrokerGroupCoordinator',
          'BrokerBalancedConsumer',
          'IdempotentProducer',
          'OffsetTime',
          'LZ4',
          'ZSTD',
        ]),
      );
    }

    // The broker saw the same pairs (ApiVersions v3 included), and closed no connection over a version.
    const traced = [
      ...new Set(
        broker.requests.filter((t) => t.clientId === clientId).map((t) => `${apiName(t.apiKey)} v${t.apiVersion}`),
      ),
    ].sort();
    expect(traced).toEqual(pairs);
    const complaints = brokerLog
      .slice(logStart)
      .filter((l) => /not implemented|cannot process|internal error|unsupported API/.test(l));
    expect(complaints).toEqual([]);
  });

  it('produces with the idempotent producer (InitProducerId) and every record is stored and read once', async () => {
    const topic = uniqueName('rdk-idem');
    broker.createTopic(topic, 3);
    const records = Array.from({ length: 12 }, (_, i) => `key${i % 5}:value-${i}`);
    const r = await kcatProduce(topic, records, [
      '-K:',
      '-X',
      'enable.idempotence=true',
      '-X',
      'partitioner=murmur2_random',
      '-d',
      'eos',
    ]);
    const pid = /Acquired PID\{Id:(\d+),Epoch:(\d+)\}/.exec(r.stderr);
    expect(pid).not.toBeNull();
    const producerId = Number(pid![1]);
    const producerEpoch = Number(pid![2]);

    let total = 0;
    for (const p of [0, 1, 2]) {
      const batches = [...broker.cluster.topics.partition(topic, p)!.log.batches()];
      let nextSequence = 0;
      for (const b of batches) {
        expect([b.producerId, b.producerEpoch, b.baseSequence]).toEqual([producerId, producerEpoch, nextSequence]);
        nextSequence += b.lastOffset - b.baseOffset + 1;
      }
      total += nextSequence;
    }
    expect(total).toBe(records.length);

    const seen = await kafkajsConsumeAll(topic, records.length);
    expect(seen).toHaveLength(records.length);
    expect(seen.map((s) => `${s.message.key?.toString()}:${s.message.value?.toString()}`).sort()).toEqual(
      [...records].sort(),
    );
    const back = await kcatConsumeAll(topic);
    expect(back.map((x) => `${x.key}:${x.value}`).sort()).toEqual([...records].sort());
  });
});
