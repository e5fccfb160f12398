// Consumer lag from the broker: each partition's watermarks (ListOffsets) against the group's committed offsets
// (OffsetFetch), through one admin client kept connected between probes. The probe runs again on its own schedule,
// so the admin retries little; a failed or timed-out read drops the connection and the next probe reconnects.
import { type Admin, type Kafka } from 'kafkajs';
import { ConsumerLagError, partitionLag, withinTimeout, type PartitionLag } from '../consumer-lag';
import { errorText } from '../errors';

/** One consumer group and the topics it subscribes. */
export interface LagTarget {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
}

export class KafkaLagReader {
  private admin: Promise<Admin> | undefined;

  public constructor(private readonly kafka: Kafka) {}

  public async read(targets: readonly LagTarget[], timeoutMs: number): Promise<PartitionLag[]> {
    const wanted = targets.filter((t) => t.topics.length > 0);
    if (wanted.length === 0) return [];
    try {
      return await withinTimeout(this.readAll(wanted), timeoutMs, 'fetching offsets');
    } catch (err) {
      await this.close();
      if (err instanceof ConsumerLagError) throw err;
      throw new ConsumerLagError('broker', errorText(err), { cause: err });
    }
  }

  /** Disconnects the admin client; the next read connects again. */
  public async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin === undefined) return;
    await admin.then((a) => a.disconnect()).catch(() => undefined);
  }

  private connected(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 1 } });
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }

  private async readAll(targets: readonly LagTarget[]): Promise<PartitionLag[]> {
    const admin = await this.connected();
    const topics = [...new Set(targets.flatMap((t) => t.topics))];
    const ends = new Map(await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const)));
    const out: PartitionLag[] = [];
    for (const target of targets) {
      const committed = await admin.fetchOffsets({ groupId: target.groupId, topics: [...target.topics] });
      for (const topic of target.topics) {
        const partitions = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const w of ends.get(topic) ?? []) {
          const offset = partitions.find((p) => p.partition === w.partition)?.offset ?? '-1';
          out.push({
            groupId: target.groupId,
            topic,
            partition: w.partition,
            records: partitionLag({ low: w.low, high: w.high, committed: offset, fromBeginning: target.fromBeginning }),
          });
        }
      }
    }
    return out;
  }
}
