// Deterministic event ids. A handler that derives the ids of what it publishes from what it consumed (run id, model,
// kind) publishes the same ids when it runs again after a redelivery or a kill at any line, and consumers drop the
// repeats by event_id. Each service keeps its own namespace so two services never mint the same id.
import { createHash } from 'node:crypto';

/** RFC 4122 UUID version 5 (SHA-1, name-based) of `name` in `namespace` (a UUID). */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of one event a service says about `parts` (e.g. run id, 'candidate.deployed', model). */
export function deterministicEventId(namespace: string, ...parts: readonly string[]): string {
  return uuidV5(parts.join('\u0000'), namespace);
}
