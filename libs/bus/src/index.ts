// @flywheel/bus: typed events over Kafka (Avro, Confluent wire format) with explicit handler outcomes, bounded
// retries and per-group dead-letter topics, plus an in-memory twin and a NestJS module.
export { type Catalogue, type PayloadOf, type TopicOf } from './catalogue';
export {
  consumerTimingsSchema,
  kafkaClientConfigSchema,
  parseKafkaBusConfig,
  parseMemoryBusConfig,
  type KafkaBusConfig,
  type KafkaBusConfigInput,
  type KafkaBusOptions,
  type MemoryBusConfig,
  type MemoryBusOptions,
} from './config';
export {
  DLQ_SUFFIX,
  DlqHeader,
  buildDeadLetter,
  dlqTopicFor,
  type DeadLetterReason,
  type DeadLetterRecord,
  type InboundRecord,
} from './dead-letter';
export { type DeliveryResult } from './delivery';
export {
  BusConfigError,
  DecodeError,
  HandlerTimeoutError,
  NonRetriableError,
  PublishError,
  SchemaRegistrationError,
  type DecodeErrorKind,
} from './errors';
export { type EventHandler, type EventMeta, type HandlerRegistration, type SubscribeOptions } from './handler';
export { HEADER_EVENT_ID, HEADER_EVENT_TYPE, type RawHeaders } from './headers';
export { type BusLogger } from './logger';
export { Outcome, type OutcomeKind } from './outcome';
export { EventPublisher, EventSubscriber, type OutgoingEvent, type PublishOptions, type PublishReceipt } from './ports';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, backoffSchedule, type RetryPolicy } from './retry-policy';
export { extractTraceContext, injectTraceContext } from './trace-context';
export { FlywheelAttr, MessagingAttr, flywheelAttributesOf } from './tracing/span-attributes';
export { RUN_ID_CONTEXT_KEY, activeRunId, withRunTrace, withoutTrace } from './tracing/bus-spans';
export { activeTraceparent, formatTraceparent, parseTraceparent } from './tracing/traceparent';
export { MAGIC_BYTE, decodeWire, encodeWire } from './wire-format';
export { KafkaEventBus, type KafkaEventBusDeps } from './kafka/kafka-event-bus';
export { KafkaBatchConsumer, type KafkaBatchConsumerDeps } from './kafka/kafka-batch-consumer';
export {
  kafkaBatchConsumerConfigSchema,
  parseKafkaBatchConsumerConfig,
  type KafkaBatchConsumerConfig,
  type KafkaBatchConsumerConfigInput,
  type KafkaBatchConsumerOptions,
} from './batch/batch-config';
export {
  type BatchConsumerState,
  type BatchConsumerStatus,
  type BatchContext,
  type BatchHandler,
  type BatchRejection,
  type BatchResult,
  type EventRecord,
} from './batch/batch-handler';
export { MemoryEventBus, type DeliveryLogEntry, type PublishedEvent } from './memory/memory-event-bus';
export {
  BusModule,
  MIN_REBALANCE_TIMEOUT_MS,
  serviceBusOptions,
  type BusModuleAsyncOptions,
  type ServiceBusSettings,
} from './nest/bus.module';
export { OnEvent, onEventFor, type EventHandlerMethod, type OnEventOptions } from './nest/on-event.decorator';
export { BUS_OBSERVER, EVENT_BUS, type ManagedEventBus } from './nest/tokens';
export { type BusObserver, type DeliveryOutcome } from './bus-observer';
export {
  ConsumerLagError,
  isConsumerLagSource,
  partitionLag,
  type ConsumerLagErrorKind,
  type ConsumerLagOptions,
  type ConsumerLagSource,
  type PartitionLag,
} from './consumer-lag';
