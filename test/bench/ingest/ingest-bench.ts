// Log-ingester benchmark: N production-log records (Avro, the catalogue event, four partitions) are produced to the
// embedded broker first (not timed); then, in the same run and from the same topic, a bare kafkajs consumer reads
// them all, and the ingester — its real main.ts in its own process, SQLite file store, default batching and
// redaction — stores them all. Broker, producers, consumer and ingester are separate processes, as deployed.
// Prints records/s, the ratio to the bare consumer and the ingester's peak RSS next to the targets; asserts nothing.
// Usage: npx tsx test/bench/ingest/ingest-bench.ts [--records N] (default 1000000) [--node-options '…'] (the
// ingester's NODE_OPTIONS, default the README's '--max-old-space-size=192 --max-semi-space-size=8'; '' for Node's
// defaults) [--cpu-prof DIR]
// (writes a V8 CPU profile of the ingester into DIR; Node refuses --cpu-prof in NODE_OPTIONS) [--broker-dir DIR]
// (a durable broker in DIR: the records are produced on the first run only and reused by later runs with the same
// --records, each with a fresh consumer group; saves minutes per run on a busy machine) [--ingester-env K=V,K2=V2]
// (extra settings for the ingester, e.g. INGESTER_PARTITIONS_CONCURRENTLY=1)
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { LlmCallLoggedV1Schema, Topics } from '@flywheel/contracts';
import { startEmbeddedSchemaRegistry } from '@flywheel/embedded-schema-registry';
import { SqliteLogStore } from '@flywheel/stores';
import { type BareJob } from './bare-consumer-process';
import { type ProducerJob } from './log-producer-process';

const TARGET_RATE = 20_000;
const TARGET_RATIO = 0.5;
const TARGET_RSS_MB = 250;
const PARTITIONS = 4;
const PRODUCERS = 2;
const TS_CHILD = ['--import', 'tsx'];
const INGESTER_MAIN = resolve(__dirname, '../../../services/log-ingester/src/main.ts');
// An 8 MiB semi-space: 4 MiB scavenged so often that the records of the batches in hand were copied and promoted
// again and again (~15–25 µs of CPU a record, measured); 16 MiB bought a little more but peaked near 240 MB.
const INGESTER_NODE_OPTIONS = option('--node-options') ?? '--max-old-space-size=192 --max-semi-space-size=8';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const RECORDS = Number(option('--records') ?? 1_000_000);
const CPU_PROFILE_DIR = option('--cpu-prof');
const BROKER_DIR = option('--broker-dir');
const INGESTER_ENV = Object.fromEntries(
  (option('--ingester-env') ?? '')
    .split(',')
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

function forkTs(file: string, env?: NodeJS.ProcessEnv, execArgv: string[] = []): ChildProcess {
  return fork(file, [], {
    execArgv: [...TS_CHILD, ...execArgv],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    ...(env ? { env } : {}),
  });
}

function message<T>(child: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const onMessage = (m: { kind?: string }): void => {
      if (m.kind !== kind) return;
      child.off('message', onMessage);
      resolvePromise(m as T);
    };
    child.on('message', onMessage);
    child.once(
      'exit',
      (code) => code !== 0 && reject(new Error(`${String(child.spawnargs[1])} exited with ${String(code)}`)),
    );
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', r));
}

async function startBroker(dataDir?: string): Promise<{ child: ChildProcess; brokers: string[] }> {
  const child = fork(resolve(__dirname, '../broker-process.ts'), dataDir === undefined ? [] : [dataDir], {
    execArgv: TS_CHILD,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const brokers = await new Promise<string[]>((resolvePromise, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m?.[1]) resolvePromise(m[1].split(','));
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${String(code)}`)));
  });
  return { child, brokers };
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePromise(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Peak resident set of a process (Linux), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** CPU seconds (user + system) a process, or one of its threads, has used so far (Linux, /proc). */
function cpuSeconds(pid: number, thread?: number): number {
  const file = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = readFileSync(file, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

const CLOCK_TICKS = 100;

async function poll(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function storedByMetrics(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/flywheel_log_records_stored_total\{source="kafka-avro"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
}

async function main(): Promise<void> {
  console.log(
    `log-ingester: ${thousands(RECORDS)} production-log records (Avro, ${PARTITIONS} partitions) from the embedded ` +
      'broker into the SQLite store; broker, producers, bare consumer and ingester in separate processes; ' +
      `ingester NODE_OPTIONS='${INGESTER_NODE_OPTIONS}'`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'ingest-bench-'));
  const brokerDir = BROKER_DIR === undefined ? undefined : resolve(BROKER_DIR);
  const producedMark = brokerDir === undefined ? undefined : join(brokerDir, `.ingest-bench-produced-${RECORDS}`);
  const reuse = producedMark !== undefined && existsSync(producedMark);
  if (brokerDir !== undefined && !reuse) rmSync(brokerDir, { recursive: true, force: true });
  const broker = await startBroker(brokerDir);
  const registry = await startEmbeddedSchemaRegistry();
  try {
    const topic = Topics.llmCallLoggedV1;
    const kafka = new Kafka({ clientId: 'ingest-bench', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    if (!reuse) await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    // A fresh registry registers the one schema as id 1 every run, so reused records still decode.
    const { id: schemaId } = await new SchemaRegistry({ host: registry.url }).register(
      { type: SchemaType.AVRO, schema: JSON.stringify(LlmCallLoggedV1Schema) },
      { subject: `${topic}-value` },
    );

    const t0 = Date.now();
    const producers = reuse
      ? []
      : Array.from({ length: PRODUCERS }, (_, i) => {
          const child = forkTs(resolve(__dirname, 'log-producer-process.ts'));
          const share = Math.ceil(RECORDS / PRODUCERS);
          const job: ProducerJob = {
            brokers: broker.brokers,
            topic,
            schemaId,
            from: i * share,
            to: Math.min(RECORDS, (i + 1) * share),
          };
          child.send(job);
          return message(child, 'done');
        });
    await Promise.all(producers);
    if (reuse) console.log(`  reusing the records produced earlier in ${brokerDir}`);
    else console.log(`  produced in ${((Date.now() - t0) / 1000).toFixed(1)} s (not timed)`);
    if (producedMark !== undefined && !reuse) writeFileSync(producedMark, `${RECORDS}\n`);

    const bare = forkTs(resolve(__dirname, 'bare-consumer-process.ts'));
    const bareJob: BareJob = { brokers: broker.brokers, topic, records: RECORDS };
    bare.send(bareJob);
    const { seconds: bareSeconds } = await message<{ seconds: number }>(bare, 'done');
    await exited(bare);
    const bareRate = RECORDS / bareSeconds;

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dbPath = join(dir, 'logs.db');
    const profile = CPU_PROFILE_DIR === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', resolve(CPU_PROFILE_DIR)];
    const ingester = forkTs(
      INGESTER_MAIN,
      {
        PATH: process.env.PATH,
        HTTP_PORT: String(port),
        KAFKA_BROKERS: broker.brokers.join(','),
        SCHEMA_REGISTRY_URL: registry.url,
        LOG_STORE_SQLITE_PATH: dbPath,
        INGESTER_INSTANCE_ID: 'ingest-bench',
        // Its own group every run: the records of a reused broker are all read again.
        INGESTER_GROUP_ID: `ingest-bench-${Date.now()}`,
        ...INGESTER_ENV,
        LOG_LEVEL: 'warn',
        // The heap limits the README recommends: V8 otherwise grows the heap (old and young) lazily far beyond the
        // live data.
        NODE_OPTIONS: INGESTER_NODE_OPTIONS,
      },
      profile,
    );
    let ingestSeconds: number;
    let rssMb: number;
    let cpu: { process: number; main: number };
    try {
      await poll(
        async () => (await fetch(`${url}/health/ready`)).status === 200,
        // Generous: a busy 2-core machine takes a while to compile and boot the service; this wait is not timed.
        180_000,
        'the ingester to be ready',
        20,
      );
      const pid = ingester.pid ?? 0;
      const cpuAtStart = { process: cpuSeconds(pid), main: cpuSeconds(pid, pid) };
      const start = process.hrtime.bigint();
      // Each scrape costs the ingester ~2 ms of CPU (counted in its figures): every 250 ms keeps that under 1% while
      // the end is still timed to within a quarter second.
      await poll(async () => (await storedByMetrics(url)) >= RECORDS, 30 * 60_000, 'every record stored', 250);
      ingestSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      rssMb = peakRssMb(pid);
      cpu = { process: cpuSeconds(pid) - cpuAtStart.process, main: cpuSeconds(pid, pid) - cpuAtStart.main };
    } finally {
      ingester.kill('SIGTERM');
      await exited(ingester);
    }
    const store = new SqliteLogStore({ path: dbPath });
    await store.connect();
    const stored = (await store.countByWorkload()).reduce((sum, c) => sum + c.count, 0);
    await store.close();

    const rate = RECORDS / ingestSeconds;
    const ratio = rate / bareRate;
    const mark = (ok: boolean): string => (ok ? 'meets' : 'MISSES');
    console.log(`  bare kafkajs consumer: ${thousands(bareRate)} records/s (${bareSeconds.toFixed(1)} s)`);
    console.log(
      `  ingester:              ${thousands(rate)} records/s (${ingestSeconds.toFixed(1)} s), ${thousands(stored)} records in the store`,
    );
    // On a shared machine wall time depends on the neighbours; CPU time per record is the steadier figure.
    console.log(
      `  ingester CPU:          ${((cpu.process * 1e6) / RECORDS).toFixed(1)} µs/record in all its threads, ` +
        `${((cpu.main * 1e6) / RECORDS).toFixed(1)} µs/record on its main thread`,
    );
    console.log('');
    console.log('  figure                     measured        target     ');
    console.log(
      `  records/s                  ${thousands(rate).padEnd(15)} >= ${thousands(TARGET_RATE).padEnd(8)}${mark(rate >= TARGET_RATE)}`,
    );
    console.log(
      `  ratio to bare consumer     ${ratio.toFixed(2).padEnd(15)} >= ${String(TARGET_RATIO).padEnd(8)}${mark(ratio >= TARGET_RATIO)}`,
    );
    console.log(
      `  ingester peak RSS (MB)     ${rssMb.toFixed(0).padEnd(15)} <  ${String(TARGET_RSS_MB).padEnd(8)}${mark(rssMb < TARGET_RSS_MB)}`,
    );
    console.log(
      `  (load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
  } finally {
    await registry.stop();
    broker.child.kill('SIGTERM');
    await exited(broker.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
