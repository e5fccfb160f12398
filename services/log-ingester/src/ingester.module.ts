// The log-ingester as one Nest module, built from its validated config. Parts that talk to the outside (store,
// publisher, consumer) are created here from config; tests may pass their own store.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { KafkaBatchConsumer, KafkaEventBus } from '@flywheel/bus';
import { catalogue } from '@flywheel/contracts';
import { createRedactor, type Redactor } from '@flywheel/redaction';
import { HealthRegistry, ServiceKitModule, ServiceMetrics } from '@flywheel/service-kit';
import { createLogStore, type LogStore } from '@flywheel/stores';
import { type IngesterConfig } from './config/ingester-config';
import { type FlywheelCatalogue, LogsIngestedEmitter } from './events/logs-ingested-emitter';
import { HttpIntake } from './http/http-intake';
import { LogsController } from './http/logs.controller';
import { KafkaIntake } from './kafka/kafka-intake';
import { IngesterLifecycle } from './lifecycle/ingester-lifecycle';
import { IngesterMetrics } from './metrics/ingester-metrics';
import { RecordIntake } from './records/record-intake';
import { BATCH_CONSUMER, EVENT_PUBLISHER, INGESTER_CONFIG, LOG_STORE, REDACTOR } from './tokens';
import { BatchWriter } from './writer/batch-writer';

export const SERVICE_NAME = 'log-ingester';

export interface IngesterOverrides {
  /** Used instead of the store the config describes (tests of store failures). */
  readonly store?: LogStore;
}

@Module({})
export class IngesterModule {
  public static forRoot(config: IngesterConfig, overrides: IngesterOverrides = {}): DynamicModule {
    return {
      module: IngesterModule,
      imports: [ServiceKitModule.forRoot({ serviceName: SERVICE_NAME })],
      controllers: [LogsController],
      providers: [
        { provide: INGESTER_CONFIG, useValue: config },
        { provide: LOG_STORE, useFactory: () => overrides.store ?? openLogStore(config) },
        { provide: REDACTOR, useFactory: () => createRedactor(config.redaction) },
        {
          provide: IngesterMetrics,
          useFactory: (m: ServiceMetrics) => new IngesterMetrics(m),
          inject: [ServiceMetrics],
        },
        {
          provide: RecordIntake,
          useFactory: (r: Redactor, m: IngesterMetrics) => new RecordIntake(r, m, config.maxRecordBytes),
          inject: [REDACTOR, IngesterMetrics],
        },
        {
          provide: EVENT_PUBLISHER,
          useFactory: () =>
            new KafkaEventBus<FlywheelCatalogue>(
              {
                catalogue,
                kafka: config.kafka,
                schemaRegistry: { url: config.schemaRegistryUrl },
                groupId: config.consumer.groupId,
                consumer: {},
              },
              { logger: new Logger('EventBus') },
            ),
        },
        {
          provide: LogsIngestedEmitter,
          useFactory: (store: LogStore, publisher: KafkaEventBus<FlywheelCatalogue>, m: IngesterMetrics) =>
            new LogsIngestedEmitter(
              store,
              publisher,
              { intervalMs: config.logsIngestedIntervalMs, instanceId: config.instanceId },
              m,
              new Logger('LogsIngested'),
            ),
          inject: [LOG_STORE, EVENT_PUBLISHER, IngesterMetrics],
        },
        {
          provide: BatchWriter,
          useFactory: (store: LogStore, m: IngesterMetrics, emitter: LogsIngestedEmitter) =>
            new BatchWriter(store, config.batch, m, (group) => emitter.record(group)),
          inject: [LOG_STORE, IngesterMetrics, LogsIngestedEmitter],
        },
        {
          provide: KafkaIntake,
          useFactory: (intake: RecordIntake, writer: BatchWriter, m: IngesterMetrics) =>
            new KafkaIntake(intake, writer, m, config.consumer.jsonTopic),
          inject: [RecordIntake, BatchWriter, IngesterMetrics],
        },
        {
          provide: BATCH_CONSUMER,
          useFactory: (kafkaIntake: KafkaIntake) => {
            const c = config.consumer;
            const consumer = new KafkaBatchConsumer<FlywheelCatalogue>(
              {
                catalogue,
                kafka: config.kafka,
                schemaRegistry: { url: config.schemaRegistryUrl },
                groupId: c.groupId,
                consumer: {
                  sessionTimeoutMs: c.sessionTimeoutMs,
                  heartbeatIntervalMs: c.heartbeatIntervalMs,
                  maxWaitTimeMs: c.maxWaitTimeMs,
                  rebalanceTimeoutMs: Math.max(c.sessionTimeoutMs, 10_000),
                },
                fetch: {
                  maxBytes: c.fetchMaxBytes,
                  maxBytesPerPartition: c.fetchMaxBytesPerPartition,
                  members: c.members,
                  partitionsConsumedConcurrently: c.partitionsConcurrently,
                },
                retry: config.retry,
                maxValueBytes: config.maxRecordBytes,
                topics: { createMissing: c.createTopics, partitions: c.topicPartitions },
              },
              { logger: new Logger('KafkaConsumer'), onDeadLetter: (dl) => kafkaIntake.onDeadLetter(dl) },
            );
            kafkaIntake.register(consumer);
            return consumer;
          },
          inject: [KafkaIntake],
        },
        {
          provide: HttpIntake,
          useFactory: (intake: RecordIntake, writer: BatchWriter, m: IngesterMetrics) =>
            new HttpIntake(intake, writer, m, {
              maxBodyBytes: config.http.maxBodyBytes,
              inFlightMaxBytes: config.batch.bufferMaxBytes,
            }),
          inject: [RecordIntake, BatchWriter, IngesterMetrics],
        },
        {
          provide: IngesterLifecycle,
          useFactory: (
            store: LogStore,
            publisher: KafkaEventBus<FlywheelCatalogue>,
            consumer: KafkaBatchConsumer<FlywheelCatalogue>,
            writer: BatchWriter,
            emitter: LogsIngestedEmitter,
            health: HealthRegistry,
          ) => new IngesterLifecycle({ store, publisher, consumer, writer, emitter, health, retry: config.retry }),
          inject: [LOG_STORE, EVENT_PUBLISHER, BATCH_CONSUMER, BatchWriter, LogsIngestedEmitter, HealthRegistry],
        },
      ],
    };
  }
}

function openLogStore(config: IngesterConfig): LogStore {
  if (config.store.kind === 'sqlite' && config.store.path !== ':memory:') {
    mkdirSync(dirname(config.store.path), { recursive: true });
  }
  return createLogStore(config.store);
}
