// Record headers the bus writes and reads. WARNING: header names are on the wire; consumers in other services and
// languages read them.

export const HEADER_EVENT_TYPE = 'event-type';
export const HEADER_EVENT_ID = 'event-id';

/** Headers as kafkajs hands them to a consumer (and accepts from a producer). */
export type RawHeaders = { [name: string]: Buffer | string | (Buffer | string)[] | undefined };

/** Header values as text; a repeated header keeps its last value. */
export function headersToStrings(headers: RawHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}

/** The payload's event id: `event_id` (the flywheel catalogue's name), else `eventId`, when it is a non-empty string. */
export function eventIdOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { event_id: snake, eventId: camel } = payload as { event_id?: unknown; eventId?: unknown };
  for (const id of [snake, camel]) if (typeof id === 'string' && id.length > 0) return id;
  return undefined;
}
