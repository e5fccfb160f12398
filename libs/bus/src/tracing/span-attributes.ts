// Span attributes the bus sets: the OTel messaging conventions for Kafka, plus flywheel's own ids read from the event
// payload so a trace backend (or `flywheel trace`) can find every span of one run, workload or candidate.
// The messaging names are still "development" in @opentelemetry/semantic-conventions (incubating entry point, which
// its README says not to import at run time), so they are spelled out here.
import { type Attributes } from '@opentelemetry/api';

export const MessagingAttr = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  consumerGroup: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  kafkaKey: 'messaging.kafka.message.key',
  kafkaOffset: 'messaging.kafka.offset',
} as const;

/** flywheel's own span attributes (set by the bus on every producer and consumer span whose event carries them). */
export const FlywheelAttr = {
  runId: 'flywheel.run_id',
  workloadId: 'flywheel.workload_id',
  /** The candidate model an event is about (its `model_name`). */
  candidate: 'flywheel.candidate',
  /** What the handler decided: processed, skipped, retry-later, dead-letter. */
  outcome: 'flywheel.outcome',
  attempts: 'flywheel.attempts',
} as const;

const MAX_ATTRIBUTE_CHARS = 256;

function stringField(payload: unknown, field: string): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const value = (payload as Record<string, unknown>)[field];
  return typeof value === 'string' && value.length > 0 ? value.slice(0, MAX_ATTRIBUTE_CHARS) : undefined;
}

/** The id a span names the message by: the bus's event id, else the catalogue's `event_id` field. */
export function messageIdOf(payload: unknown, eventId: string | undefined): string | undefined {
  return eventId ?? stringField(payload, 'event_id');
}

/** The run id of a run-scoped event (`run_id`), if it has one. */
export function runIdOf(payload: unknown): string | undefined {
  return stringField(payload, 'run_id');
}

/**
 * flywheel.* attributes from an event's top-level ids. Only identifiers are read: never prompts, answers or any
 * other body field, so spans carry nothing a log record could leak.
 */
export function flywheelAttributesOf(payload: unknown): Attributes {
  const attributes: Attributes = {};
  const runId = runIdOf(payload);
  const workloadId = stringField(payload, 'workload_id');
  const candidate = stringField(payload, 'model_name');
  if (runId !== undefined) attributes[FlywheelAttr.runId] = runId;
  if (workloadId !== undefined) attributes[FlywheelAttr.workloadId] = workloadId;
  if (candidate !== undefined) attributes[FlywheelAttr.candidate] = candidate;
  return attributes;
}
