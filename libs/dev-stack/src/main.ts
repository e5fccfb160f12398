// `npm run kafka`: the embedded Kafka broker and schema registry as a standalone process, so services in
// other processes (and kcat, Python or Go clients) share them. Ctrl-C stops it cleanly.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { startDevStack } from './dev-stack';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a TCP port`);
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

const program = new Command()
  .name('flywheel-kafka')
  .description('Run the embedded Kafka broker and schema registry (the dev stack) in the foreground.')
  .option('--host <host>', 'address to listen on and advertise', '127.0.0.1')
  .option('--port <port>', 'Kafka port of the first broker', port, 9092)
  .option('--brokers <n>', 'number of brokers (ports port..port+n-1)', positive, 1)
  .option('--registry-port <port>', 'schema registry HTTP port', port, 8081)
  .option('--data-dir <dir>', 'where topics, records, offsets and schemas persist', '.data/dev-stack')
  .option('--in-memory', 'keep nothing on disk')
  .option('--fsync <policy>', "'never' (survives a kill) or 'always' (survives power loss)", 'never')
  .showHelpAfterError();

async function main(): Promise<void> {
  const o = program.parse().opts<{
    host: string;
    port: number;
    brokers: number;
    registryPort: number;
    dataDir: string;
    inMemory?: boolean;
    fsync: string;
  }>();
  if (o.fsync !== 'never' && o.fsync !== 'always')
    program.error(`--fsync must be 'never' or 'always', got "${o.fsync}"`);
  const stamp = (): string => new Date().toISOString();
  const stack = await startDevStack({
    host: o.host,
    kafkaPort: o.port,
    brokers: o.brokers,
    registryPort: o.registryPort,
    dataDir: o.inMemory ? undefined : resolve(o.dataDir),
    fsync: o.fsync === 'always' ? 'always' : 'never',
    log: (line) => console.log(`${stamp()} ${line}`),
  });
  console.log(`Kafka bootstrap servers: ${stack.bootstrapServers.join(',')}`);
  console.log(`Schema registry:         ${stack.schemaRegistryUrl}`);
  console.log(`Try: kcat -b ${stack.bootstrapServers[0] ?? ''} -L`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${stamp()} ${signal}: stopping`);
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`flywheel-kafka: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
