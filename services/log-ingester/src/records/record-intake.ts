// Every record, from whichever source, goes through here on its way to the store: validated, given its stable id and
// event id, timestamps in epoch millis (the JSON forms are converted by toLlmCallLogged), and redacted. Nothing
// leaves this class unredacted.
import { type LlmCallLoggedV1, toLlmCallLogged } from '@flywheel/contracts';
import { type Redactor } from '@flywheel/redaction';
import { logRecordId } from '@flywheel/stores';
import { type IngesterMetrics } from '../metrics/ingester-metrics';
import { type IngestEntry, type SourceKind, type TopicPosition } from './ingest-entry';
import { parseJsonRecord, type Rejection } from './json-record';
import { contentId, stableUuid } from './record-id';

export type IntakeResult = { readonly ok: true; readonly entry: IngestEntry } | ({ readonly ok: false } & Rejection);

export class RecordIntake {
  public constructor(
    private readonly redactor: Redactor,
    private readonly metrics: IngesterMetrics,
    private readonly maxRecordBytes: number,
  ) {}

  /** A record of the Avro topic, already decoded and checked against the catalogue contract by the bus. */
  public fromEvent(payload: LlmCallLoggedV1, position: TopicPosition, bytes: number): IngestEntry {
    const id = logRecordId(payload, position);
    return this.finish(id, payload, kafkaSource(position), 'kafka-avro', bytes);
  }

  /** A value of the JSON topic. */
  public fromJsonRecord(value: Buffer | null, position: TopicPosition): IntakeResult {
    if (value === null) return { ok: false, kind: 'corrupt', reason: 'record has no value (a tombstone)' };
    const parsed = parseJsonRecord(value, this.maxRecordBytes);
    if (!parsed.ok) return parsed;
    // No producer event id on this topic: the producer's log_id, else the record's place in the topic.
    const id = parsed.input.log_id ?? logRecordId(null, position);
    const record = toLlmCallLogged(parsed.input, { eventId: stableUuid(id) });
    return { ok: true, entry: this.finish(id, record, kafkaSource(position), 'kafka-json', value.length) };
  }

  /** One line (or the whole body) of POST /v1/logs. */
  public fromHttpLine(line: Uint8Array): IntakeResult {
    const parsed = parseJsonRecord(line, this.maxRecordBytes);
    if (!parsed.ok) return parsed;
    const id = parsed.input.log_id ?? contentId(line);
    const record = toLlmCallLogged(parsed.input, { eventId: stableUuid(id) });
    return { ok: true, entry: this.finish(id, record, 'http', 'http', line.length) };
  }

  private finish(id: string, record: LlmCallLoggedV1, source: string, kind: SourceKind, bytes: number): IngestEntry {
    const redaction = this.redactor.redactRecord(record);
    // Most records have nothing to redact: no entries array per record for an empty count.
    const counts = redaction.counts;
    for (const detector in counts) this.metrics.redactions.inc({ detector }, counts[detector]);
    return { id, record: redaction.record, source, kind, bytes };
  }
}

function kafkaSource(p: TopicPosition): string {
  return `kafka:${p.topic}:${p.partition}:${p.offset}`;
}
