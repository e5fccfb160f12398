// The embedded broker alone in its own process, as `npm run kafka` runs it, so a benchmark's client and
// the broker do not share one event loop. Prints "READY host:port" when listening; stops on SIGTERM.
import { startEmbeddedKafka } from '@flywheel/embedded-kafka';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  const kafka = await startEmbeddedKafka({ dataDir: dataDir && dataDir.length > 0 ? dataDir : undefined });
  process.stdout.write(`READY ${kafka.bootstrapServers.join(',')}\n`);
  process.on('SIGTERM', () => {
    kafka.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

void main();
