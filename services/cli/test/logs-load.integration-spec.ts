// `flywheel logs load` against the real thing: the embedded broker and schema registry in this process, the CLI
// publishing through the event bus, and a consumer group reading the topic back through the catalogue's contract
// (as the log-ingester does). Also the CLI as a separate process, and an unreachable broker.
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KafkaEventBus, Outcome, type BusLogger } from '@flywheel/bus';
import { catalogue, Topics, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { startDevStack, type DevStack } from '@flywheel/dev-stack';
import { runCli } from '../src/cli';
import { openBusLogSink } from '../src/logs/bus-log-sink';
import { convertLine } from '../src/logs/convert-line';
import { badLinesFile, FIXTURE, fixtureLines } from '../src/testing/bad-lines';
import { capturedIo } from '../src/testing/captured-io';

const REPO = resolve(__dirname, '../../..');
const quiet: BusLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

interface Received {
  readonly key: string;
  readonly eventIdHeader: string | undefined;
  readonly payload: LlmCallLoggedV1;
}

let stack: DevStack;
let reader: KafkaEventBus<typeof catalogue>;
const received: Received[] = [];

async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function cli(...args: string[]) {
  const io = capturedIo();
  const connection = ['--brokers', stack.bootstrapServers.join(','), '--schema-registry-url', stack.schemaRegistryUrl];
  const code = runCli([...args, ...connection], {
    io: { ...io, now: () => Date.UTC(2026, 0, 1), clock: () => performance.now() },
    env: {},
    openLogSink: openBusLogSink,
  });
  return { io, code };
}

beforeAll(async () => {
  stack = await startDevStack();
  reader = new KafkaEventBus(
    {
      catalogue,
      kafka: { brokers: stack.bootstrapServers, clientId: 'reader', connectionTimeoutMs: 1000, logLevel: 'nothing' },
      schemaRegistry: { url: stack.schemaRegistryUrl },
      groupId: 'cli-test-reader',
      consumer: { sessionTimeoutMs: 3000, rebalanceTimeoutMs: 3000, heartbeatIntervalMs: 100, maxWaitTimeMs: 100 },
    },
    { logger: quiet },
  );
  reader.subscribe(Topics.llmCallLoggedV1, (payload, meta) => {
    received.push({ key: meta.key ?? '', eventIdHeader: meta.eventId, payload });
    return Promise.resolve(Outcome.processed());
  });
}, 60_000);

afterAll(async () => {
  await reader?.close();
  await stack?.stop();
});

describe('flywheel logs load (embedded Kafka and schema registry)', () => {
  it('publishes the sample file; a consumer reads back every record, keyed by workload, as converted', async () => {
    const { io, code } = cli('logs', 'load', FIXTURE, '--quiet');
    expect(await code).toBe(0);
    expect(io.stdout.text).toContain('published  258 records (agent.tool_router/aiva-demo 258)');

    await reader.start();
    await waitFor(() => received.length >= 258, '258 records on the topic');
    const lines = fixtureLines();
    const expected = lines.map((line, i) => {
      const r = convertLine(line, i + 1, { model: 'not-a-model', now: 0 });
      if (r.kind !== 'record') throw new Error(`fixture line ${i + 1}: ${JSON.stringify(r)}`);
      return r.record;
    });
    expect(received.map((r) => r.payload)).toEqual(expected);
    expect(received.every((r) => r.key === 'agent.tool_router')).toBe(true);
    expect(received.map((r) => r.eventIdHeader)).toEqual(expected.map((r) => r.event_id));
  }, 90_000);

  it('publishes the same ids when the file is loaded again, so a store keyed by id does not double', async () => {
    const before = received.length;
    const { code } = cli('logs', 'load', FIXTURE, '--quiet');
    expect(await code).toBe(0);
    await waitFor(() => received.length >= before + 258, 'the second load on the topic');
    const ids = (rs: Received[]) => rs.map((r) => `${r.payload.log_id}|${r.payload.event_id}`);
    expect(ids(received.slice(before))).toEqual(ids(received.slice(0, 258)));
    expect(new Set(received.map((r) => r.payload.log_id)).size).toBe(258);
  }, 90_000);

  it('publishes only the valid lines of a file of bad lines and reports the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flywheel-cli-it-'));
    const file = join(dir, 'bad-lines.jsonl');
    const bad = badLinesFile(5000);
    writeFileSync(file, bad.bytes);
    const before = received.length;
    const { io, code } = cli('logs', 'load', file, '--max-line-bytes', '5000', '--quiet');
    expect(await code).toBe(0);
    const reported = io.stderr.text.split('\n').filter((l) => l.startsWith('line '));
    expect(reported.map((l) => Number(/^line (\d+):/.exec(l)?.[1]))).toEqual([...bad.invalid.keys()]);
    await waitFor(() => received.length >= before + bad.valid.length, 'the valid lines on the topic');
    await new Promise((r) => setTimeout(r, 500));
    const mine = received.slice(before);
    expect(mine).toHaveLength(bad.valid.length);
    // Keys land on different partitions, which a consumer reads in any interleaving: compare them as a multiset.
    expect(mine.map((r) => r.key).sort()).toEqual([
      'agent.chat',
      'agent.tool_router',
      'agent.tool_router',
      'agent.tool_router',
      'agent.tool_router',
    ]);
  }, 90_000);

  it('runs as its own process (npm run flywheel) and exits 0 with a JSON summary', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'services/cli/src/main.ts',
        'logs',
        'load',
        FIXTURE,
        '--workload-id',
        'agent.spawned',
        '--client-id',
        'cli-test',
        '--json',
      ],
      {
        cwd: REPO,
        env: {
          PATH: process.env.PATH,
          FLYWHEEL_KAFKA_BROKERS: stack.bootstrapServers.join(','),
          FLYWHEEL_SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toMatchObject({ published: 258, perWorkload: { 'agent.spawned/cli-test': 258 } });
    await waitFor(() => received.filter((r) => r.key === 'agent.spawned').length === 258, 'the spawned load');
  }, 90_000);

  it('fails with a clear message, without hanging, when no broker answers', async () => {
    const io = capturedIo();
    const port = await closedPort();
    const started = Date.now();
    const code = await runCli(
      [
        'logs',
        'load',
        FIXTURE,
        '--brokers',
        `127.0.0.1:${port}`,
        '--schema-registry-url',
        stack.schemaRegistryUrl,
        '--timeout',
        '20',
      ],
      { io, env: {}, openLogSink: openBusLogSink },
    );
    expect(code).toBe(1);
    expect(io.stderr.text).toMatch(
      new RegExp(`^flywheel: cannot publish to Kafka at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); start`),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('gives up after --timeout when a broker accepts connections but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const io = capturedIo();
      const started = Date.now();
      const code = await runCli(
        [
          'logs',
          'load',
          FIXTURE,
          '--brokers',
          `127.0.0.1:${port}`,
          '--schema-registry-url',
          stack.schemaRegistryUrl,
          '--timeout',
          '2',
        ],
        { io, env: {}, openLogSink: openBusLogSink },
      );
      expect(code).toBe(1);
      expect(io.stderr.text).toContain(
        `flywheel: connecting to Kafka at 127.0.0.1:${port}: no answer within 2 s (--timeout)`,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  }, 60_000);

  it('fails with a clear message when the schema registry is down', async () => {
    const io = capturedIo();
    const url = `http://127.0.0.1:${await closedPort()}`;
    const code = await runCli(
      ['logs', 'load', FIXTURE, '--brokers', stack.bootstrapServers.join(','), '--schema-registry-url', url],
      { io, env: {}, openLogSink: openBusLogSink },
    );
    expect(code).toBe(1);
    expect(io.stderr.text).toContain(`flywheel: schema registry at ${url} is not reachable (connect ECONNREFUSED`);
  }, 30_000);
});
