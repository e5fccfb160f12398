// One module per Kafka API key, each registered with the exact version range it implements. ApiVersions
// advertises precisely these ranges (librdkafka derives features from them; kafkajs takes min(its max, ours)).
import type { Cluster, BrokerNode } from '../cluster/cluster';
import type { Reader, Writer } from '../protocol/codec';

export interface ConnectionScope {
  readonly id: number;
  readonly remote: string;
  /** True once the socket closed: parked work should stop. */
  readonly closed: boolean;
  /** Called once when the socket closes (one listener list per connection, not per request). */
  onClose(fn: () => void): () => void;
}

export interface RequestContext {
  readonly cluster: Cluster;
  readonly node: BrokerNode;
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly connection: ConnectionScope;
}

export interface ApiHandler {
  readonly key: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /**
   * Decodes the request body, acts, and returns the response body (without the correlation header), or
   * null when the protocol sends no response (Produce with acks=0).
   */
  handle(ctx: RequestContext, body: Reader): Promise<Writer | null> | Writer | null;
}

/** Writes the throttle-time field (always 0: the embedded broker never throttles). */
export function throttle(w: Writer): void {
  w.int32(0);
}
