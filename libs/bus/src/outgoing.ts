// The publish path both transports share: check, encode, key and headers for one event.
import { contractOf, type Catalogue } from './catalogue';
import { PublishError, errorText } from './errors';
import { type EventCodec } from './event-codec';
import { HEADER_EVENT_ID, HEADER_EVENT_TYPE, eventIdOf } from './headers';
import { type PublishOptions } from './ports';
import { injectTraceContext } from './trace-context';

export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
  readonly schemaId: number;
}

export async function buildOutgoing(
  catalogue: Catalogue,
  codec: EventCodec,
  topic: string,
  payload: unknown,
  options: PublishOptions = {},
  validate = true,
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
  const eventId = options.eventId ?? eventIdOf(payload);
  if (eventId !== undefined) headers[HEADER_EVENT_ID] = eventId;
  injectTraceContext(headers);
  return { topic, key, value: encoded.value, headers, schemaId: encoded.schemaId };
}
