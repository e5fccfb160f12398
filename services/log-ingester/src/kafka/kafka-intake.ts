// The two Kafka sources: the Avro topic (decoded and contract-checked by the bus) and the plain-JSON topic (checked
// here). Each batch becomes one write that is flushed at once (a fetch is already a size- and time-bounded batch);
// the batch consumer commits only after it resolves, and dead-letters what is returned as rejected.
import {
  type BatchRejection,
  type BatchResult,
  type DeadLetterRecord,
  type EventRecord,
  type InboundRecord,
  type KafkaBatchConsumer,
} from '@flywheel/bus';
import { type LlmCallLoggedV1, Topics } from '@flywheel/contracts';
import { type FlywheelCatalogue } from '../events/logs-ingested-emitter';
import { type IngesterMetrics } from '../metrics/ingester-metrics';
import { type IngestEntry } from '../records/ingest-entry';
import { type RecordIntake } from '../records/record-intake';
import { type BatchWriter } from '../writer/batch-writer';

export class KafkaIntake {
  public constructor(
    private readonly intake: RecordIntake,
    private readonly writer: BatchWriter,
    private readonly metrics: IngesterMetrics,
    private readonly jsonTopic: string,
  ) {}

  public register(consumer: KafkaBatchConsumer<FlywheelCatalogue>): void {
    consumer.consumeEvents(Topics.llmCallLoggedV1, (records) => this.onAvro(records));
    consumer.consumeRaw(this.jsonTopic, (records) => this.onJson(records));
  }

  /** Counts every dead letter, the bus's own (undecodable Avro) and ours, by source and reason. */
  public onDeadLetter(deadLetter: DeadLetterRecord): void {
    const source = deadLetter.source.topic === this.jsonTopic ? 'kafka-json' : 'kafka-avro';
    this.metrics.deadLetters.inc({ reason: deadLetter.reason });
    this.metrics.rejected.inc({ source, reason: deadLetter.reason });
  }

  public onAvro(records: readonly EventRecord<LlmCallLoggedV1>[]): Promise<BatchResult> {
    const entries = records.map((r) => this.intake.fromEvent(r.payload, r, r.value?.length ?? 0));
    return this.store(records, entries, []);
  }

  public onJson(records: readonly InboundRecord[]): Promise<BatchResult> {
    const accepted: InboundRecord[] = [];
    const entries: IngestEntry[] = [];
    const rejected: BatchRejection[] = [];
    for (const record of records) {
      const result = this.intake.fromJsonRecord(record.value, record);
      if (result.ok) {
        accepted.push(record);
        entries.push(result.entry);
      } else {
        rejected.push({ record, reason: `decode:${result.kind}`, error: result.reason });
      }
    }
    return this.store(accepted, entries, rejected);
  }

  private async store(
    records: readonly InboundRecord[],
    entries: readonly IngestEntry[],
    rejected: BatchRejection[],
  ): Promise<BatchResult> {
    if (entries.length === 0) return { rejected };
    // Throws when the store fails: the consumer offers the batch again after a backoff, nothing is committed.
    const result = await this.writer.write(entries, { flush: true });
    for (const r of result.rejected) {
      const record = records[r.index];
      if (record !== undefined) rejected.push({ record, reason: 'handler-dead-letter', error: r.error });
    }
    return { rejected };
  }
}
