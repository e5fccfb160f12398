// A record ready for the store: its stable id, the (redacted) catalogue payload, where it came from.
import { type LlmCallLoggedV1 } from '@flywheel/contracts';
import { type LogRecordInput } from '@flywheel/stores';

/** Where records enter: the Avro topic, the JSON topic, or POST /v1/logs. Also a metric label. */
export type SourceKind = 'kafka-avro' | 'kafka-json' | 'http';

/** Also the store's input as it is: the writer hands entries to the store without copying them. */
export interface IngestEntry extends LogRecordInput {
  readonly id: string;
  readonly record: LlmCallLoggedV1;
  /** Stored with the record, e.g. 'kafka:flywheel.log.llm-call-logged.v1:0:42' or 'http'. */
  readonly source: string;
  readonly kind: SourceKind;
  /** Size of the record as received, for the writer's byte bounds. */
  readonly bytes: number;
}

/** A Kafka record's place, for ids and the stored `source`. */
export interface TopicPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
