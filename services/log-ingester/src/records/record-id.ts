// Stable ids. A record's store id must be the same every time the record arrives again (redelivery, a retried HTTP
// request): the producer's log_id, else its Avro event_id, else its place in the topic, and for HTTP lines without
// a log_id the hash of the line. The stored event_id is derived from that id, so a re-ingested record is identical.
import { createHash } from 'node:crypto';

/** A UUID (RFC 9562 version 8, "custom") derived from `name`: the same name gives the same UUID. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80; // version 8
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80; // RFC variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The id of an HTTP record without a log_id: its bytes' hash, so a retried request stores nothing twice. */
export function contentId(bytes: Uint8Array): string {
  return `http-${createHash('sha256').update(bytes).digest('hex').slice(0, 40)}`;
}
