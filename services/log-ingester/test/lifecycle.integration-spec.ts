// Readiness and shutdown: a store that is down at boot keeps the ingester up and "not ready" (retried with backoff,
// no crash), refuses HTTP with 503, loses no Kafka record; a store that turns slow holds the consumer back; and a
// graceful shutdown writes the batch in hand and commits it.
import { join } from 'node:path';
import { type KafkaEventBus } from '@flywheel/bus';
import { type catalogue } from '@flywheel/contracts';
import {
  SqliteLogStore,
  StoreError,
  type AppendResult,
  type LogQuery,
  type LogRecordInput,
  type LogStore,
  type StoreHealth,
  type StoredLogRecord,
  type WorkloadCount,
} from '@flywheel/stores';
import {
  Topics,
  avroPayload,
  avroPublisher,
  rawKafka,
  sampleLogLines,
  startIngester,
  startStack,
  storedCount,
  testEnv,
  waitFor,
  type RunningIngester,
  type Stack,
} from './ingester-fixtures';

/** A real SQLite store that can be "down" (connect fails) or slow (appends wait on a gate). */
class ControllableStore implements LogStore {
  public readonly backend = 'sqlite' as const;
  public down = true;
  public connectAttempts = 0;
  public gate: Promise<void> | undefined;
  public appendsStarted = 0;
  private readonly inner: SqliteLogStore;

  public constructor(path: string) {
    this.inner = new SqliteLogStore({ path });
  }

  public async connect(): Promise<void> {
    this.connectAttempts += 1;
    if (this.down) throw new StoreError('connect', 'sqlite', 'unavailable', 'disk not mounted');
    await this.inner.connect();
  }

  public async health(): Promise<StoreHealth> {
    if (this.down) {
      return {
        backend: 'sqlite',
        state: 'connecting',
        ready: false,
        attempts: this.connectAttempts,
        lastError: 'disk not mounted',
      };
    }
    return this.inner.health();
  }

  public close(): Promise<void> {
    return this.inner.close();
  }

  public async append(batch: readonly LogRecordInput[]): Promise<AppendResult> {
    this.appendsStarted += 1;
    if (this.gate) await this.gate;
    return this.inner.append(batch);
  }

  public query(q: LogQuery): Promise<StoredLogRecord[]> {
    return this.inner.query(q);
  }

  public stream(filter: Parameters<LogStore['stream']>[0]): AsyncIterable<StoredLogRecord> {
    return this.inner.stream(filter);
  }

  public countByWorkload(filter?: { readonly clientId?: string }): Promise<WorkloadCount[]> {
    return this.inner.countByWorkload(filter);
  }
}

let stack: Stack;
let ingester: RunningIngester | undefined;
let publisher: KafkaEventBus<typeof catalogue> | undefined;

beforeEach(async () => {
  stack = await startStack();
});

/** Opens a store gate a failed test may have left closed, so shutdown can finish. */
let openGate: () => void = () => undefined;

afterEach(async () => {
  openGate();
  await ingester?.service.close();
  await publisher?.close();
  ingester = undefined;
  publisher = undefined;
  await stack.stop();
});

const lines = sampleLogLines();

async function committedOffset(groupId: string, topic: string): Promise<string> {
  const admin = rawKafka(stack.brokers).admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t?.partitions.find((p) => p.partition === 0)?.offset ?? '-1';
  } finally {
    await admin.disconnect();
  }
}

describe('readiness', () => {
  it('should stay up and not ready while the store is down at boot, then ingest what waited', async () => {
    const store = new ControllableStore(join(stack.dir, 'logs.db'));
    publisher = await avroPublisher(stack);
    const waiting = avroPayload(lines[0]!);
    await publisher.publish(Topics.llmCallLoggedV1, waiting);
    ingester = await startIngester(testEnv(stack), { store, waitUntilStarted: false });

    await waitFor(() => store.connectAttempts >= 3, 10_000, 'three connection attempts');
    const notReady = await ingester.get('/health/ready');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.body)).toMatchObject({
      status: 'unavailable',
      checks: {
        'log-store': {
          ok: false,
          detail: expect.stringMatching(/^sqlite: connecting, attempt \d+ \(disk not mounted\)$/) as unknown,
        },
        'kafka-consumer': { ok: false, detail: 'idle' },
      },
    });
    expect((await ingester.get('/health/live')).status).toBe(200);
    const refused = await ingester.post(JSON.stringify(lines[1]), 'application/json');
    expect(refused).toEqual({
      status: 503,
      body: { error: 'store-unavailable', message: expect.stringMatching(/retry the whole request/) as unknown },
    });

    store.down = false;
    await waitFor(async () => (await ingester!.get('/health/ready')).status === 200, 10_000, 'readiness');
    await waitFor(async () => (await storedCount(store)) === 1, 10_000, 'the waiting record');
    expect((await store.query({ workloadId: waiting.workload_id, limit: 5 }))[0]?.id).toBe(waiting.event_id);
  });
});

describe('backpressure and shutdown', () => {
  it('should hold the consumer back while the store is slow, then write and commit the batch in hand on shutdown', async () => {
    const store = new ControllableStore(join(stack.dir, 'logs.db'));
    store.down = false;
    store.gate = new Promise((r) => (openGate = r));
    publisher = await avroPublisher(stack);
    // One send each: a fetch returns whole producer batches, so small sends make small fetches possible.
    for (let i = 0; i < 50; i++) await publisher.publish(Topics.llmCallLoggedV1, avroPayload(lines[i % lines.length]!));
    ingester = await startIngester(testEnv(stack, { KAFKA_FETCH_MAX_BYTES_PER_PARTITION: '20000' }), { store });

    await waitFor(() => store.appendsStarted >= 1, 10_000, 'the first append to start');
    // While that append hangs, nothing more is fetched or buffered beyond the batch in hand.
    const later = Array.from({ length: 50 }, (_, i) => avroPayload(lines[i % lines.length]!));
    await publisher.publishMany(later.map((payload) => ({ topic: Topics.llmCallLoggedV1, payload })));
    await new Promise((r) => setTimeout(r, 500));
    expect(store.appendsStarted).toBe(1);
    const inHand = Number(
      (await ingester.get('/metrics')).body.match(/flywheel_log_writer_buffered_records\S* (\d+)/)?.[1],
    );
    expect(inHand).toBeGreaterThan(0);
    expect(inHand).toBeLessThan(50);

    const closing = ingester.service.close();
    await new Promise((r) => setTimeout(r, 100));
    openGate(); // the store answers: the batch in hand is written, committed, and the consumer leaves
    await closing;
    ingester = undefined;

    const committed = Number(await committedOffset('log-ingester', Topics.llmCallLoggedV1));
    const reader = new SqliteLogStore({ path: join(stack.dir, 'logs.db') });
    await reader.connect();
    try {
      const stored = await storedCount(reader);
      expect(stored).toBeGreaterThanOrEqual(inHand);
      // Everything below the committed offset is in the store: nothing committed was lost.
      expect(stored).toBeGreaterThanOrEqual(committed);
      expect(committed).toBeGreaterThan(0);
    } finally {
      await reader.close();
    }
  });
});
