// One kafkajs client per bus, configured from the validated config, logging through the bus logger.
import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { type KafkaBusConfig } from '../config';
import { type BusLogger } from '../logger';

const LEVELS: Record<KafkaBusConfig['kafka']['logLevel'], logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

export function createKafka(config: Pick<KafkaBusConfig, 'kafka'>, logger: BusLogger): Kafka {
  const k = config.kafka;
  const toLogger: logCreator =
    () =>
    ({ level, namespace, log }: LogEntry) => {
      const line = `kafkajs ${namespace}: ${log.message}`;
      if (level <= logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
      else if (level === logLevel.INFO) logger.log(line);
      else logger.debug?.(line);
    };
  return new Kafka({
    clientId: k.clientId,
    brokers: [...k.brokers],
    connectionTimeout: k.connectionTimeoutMs,
    requestTimeout: k.requestTimeoutMs,
    retry: {
      initialRetryTime: k.retry.initialRetryTimeMs,
      maxRetryTime: k.retry.maxRetryTimeMs,
      retries: k.retry.retries,
    },
    logLevel: LEVELS[k.logLevel],
    logCreator: toLogger,
  });
}
