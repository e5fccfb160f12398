// What the bus tells a service's metrics about its consumers: each delivery's outcome and handler time, and how far
// each partition is behind its end. The service kit implements it with Prometheus metrics; the bus stays free of
// any metrics library.

export type DeliveryOutcome = 'processed' | 'skipped' | 'dead-letter' | 'abandoned';

export interface BusObserver {
  /** One record's delivery ended: its outcome and the time from decode to outcome, retries included. */
  delivered(e: {
    readonly topic: string;
    readonly groupId: string;
    readonly outcome: DeliveryOutcome;
    readonly seconds: number;
  }): void;
  /** Records of the partition after the last one this group handled (its end offset minus the next offset). */
  lag(e: {
    readonly topic: string;
    readonly groupId: string;
    readonly partition: number;
    readonly records: number;
  }): void;
}
