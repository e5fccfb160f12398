// The shape every entry of the event catalogue has. A publisher or handler names a topic; the catalogue
// gives the Avro schema written on the wire, the Kafka key, and the checks a payload must pass.

/** A parsed .avsc record schema (JSON), as the schema registry stores it. */
export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace: string;
  readonly doc?: string;
  readonly fields: readonly unknown[];
}

export interface EventContract<TTopic extends string, TPayload> {
  /** Wire name of the topic (never derived from a class name). */
  readonly topic: TTopic;
  /** Schema-registry subject (TopicNameStrategy: `<topic>-value`). */
  readonly subject: string;
  readonly schema: AvroRecordSchema;
  /** Kafka key: the run id for run-scoped events, the workload id for logs, so order holds where it matters. */
  readonly keyOf: (payload: TPayload) => string;
  /**
   * Business validation beyond the schema (e.g. non-empty ids, ranges). Returns the problems found;
   * empty when the payload is acceptable. A payload with problems goes to the dead-letter topic.
   */
  readonly validate: (payload: TPayload) => string[];
}
