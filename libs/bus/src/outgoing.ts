// The publish path both transports share: check, encode, key and headers for one event.
import { contractOf, type Catalogue } from './catalogue';
import { PublishError, errorText } from './errors';
import { type EventCodec } from './event-codec';
import { HEADER_EVENT_ID, HEADER_EVENT_TYPE, eventIdOf } from './headers';
import { type PublishOptions } from './ports';
import { injectTraceContext } from './trace-context';
import { startPublishSpan, type PublishSpan } from './tracing/bus-spans';

export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
  readonly schemaId: number;
  /** The PRODUCER span whose context is in `headers`; the transport ends it once the broker answered. */
  readonly span: PublishSpan;
}

/** Ends every record's span: with the error when the send failed. */
export function endPublishSpans(records: readonly OutgoingRecord[], error?: unknown): void {
  for (const r of records) r.span.end(error);
}

export async function buildOutgoing(
  catalogue: Catalogue,
  codec: EventCodec,
  topic: string,
  payload: unknown,
  options: PublishOptions = {},
  validate = true,
): Promise<OutgoingRecord> {
  const eventId = options.eventId ?? eventIdOf(payload);
  const span = startPublishSpan(topic, payload, eventId);
  try {
    return await encodeOutgoing(catalogue, codec, topic, payload, options, validate, eventId, span);
  } catch (err) {
    span.end(err);
    throw err;
  }
}

async function encodeOutgoing(
  catalogue: Catalogue,
  codec: EventCodec,
  topic: string,
  payload: unknown,
  options: PublishOptions,
  validate: boolean,
  eventId: string | undefined,
  span: PublishSpan,
): Promise<OutgoingRecord> {
  let contract;
  try {
    contract = contractOf(catalogue, topic);
  } catch (err) {
    throw new PublishError(topic, errorText(err), { cause: err });
  }
  // Rejecting a bad event at its source beats dead-lettering it in every consumer.
  if (validate) {
    const problems = contract.validate(payload);
    if (problems.length > 0) throw new PublishError(topic, `payload fails validation: ${problems.join('; ')}`);
  }
  let encoded;
  let key;
  try {
    encoded = await codec.encode(topic, payload);
    key = contract.keyOf(payload);
  } catch (err) {
    throw new PublishError(topic, errorText(err), { cause: err });
  }
  const headers: Record<string, string> = { ...options.headers, [HEADER_EVENT_TYPE]: topic };
  if (eventId !== undefined) headers[HEADER_EVENT_ID] = eventId;
  injectTraceContext(headers, span.context);
  return { topic, key, value: encoded.value, headers, schemaId: encoded.schemaId, span };
}
