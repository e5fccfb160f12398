// The broker's whole state, shared by every broker (node) of the embedded cluster. One JS event loop owns
// it, so every handler's mutation is atomic without locks.
import type { ResolvedKafkaOptions } from '../config';
import { GroupCoordinator } from '../groups/group-coordinator';
import { ErrorCode } from '../protocol/error-codes';
import type { StoredBatch } from '../storage/partition-log';
import type { Storage } from '../storage/storage';
import { FetchWaiters } from './fetch-waiters';
import { ProducerRegistry, type SequenceCheck } from './producers';
import { stringHash, type Partition, TopicError, TopicRegistry } from './topics';

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
}

export type AppendResult = { errorCode: number; baseOffset: number; reason?: string };

export class Cluster {
  public readonly topics: TopicRegistry;
  public readonly producers: ProducerRegistry;
  public readonly groups: GroupCoordinator;
  public readonly fetchWaiters = new FetchWaiters();
  public nodes: BrokerNode[] = [];

  public constructor(
    public readonly options: ResolvedKafkaOptions,
    private readonly storage: Storage,
    nodeIds: readonly number[],
  ) {
    this.topics = new TopicRegistry(storage, nodeIds);
    this.producers = new ProducerRegistry(storage);
    // Rebuild idempotent-producer windows from the logs, as Kafka does from its snapshots + log tail.
    for (const t of this.topics.list()) {
      for (const p of t.partitions) for (const b of p.log.batches()) this.producers.record(t.name, p.index, b);
    }
    this.groups = new GroupCoordinator(
      {
        minSessionTimeoutMs: options.minSessionTimeoutMs,
        maxSessionTimeoutMs: options.maxSessionTimeoutMs,
        initialRebalanceDelayMs: options.initialRebalanceDelayMs,
      },
      {
        storage,
        partitionExists: (topic, partition) => this.topics.partition(topic, partition) !== undefined,
        log: options.log,
      },
    );
    for (const [name, partitions] of Object.entries(options.seedTopics)) {
      if (!this.topics.get(name)) this.topics.create(name, partitions);
    }
  }

  public node(nodeId: number): BrokerNode | undefined {
    return this.nodes.find((n) => n.nodeId === nodeId);
  }

  public get controllerId(): number {
    return (this.nodes[0] as BrokerNode).nodeId;
  }

  public coordinatorFor(groupId: string): BrokerNode {
    return this.nodes[stringHash(groupId) % this.nodes.length] as BrokerNode;
  }

  /** Creates a topic with default partitions if auto-creation is on; returns whether it exists now. */
  public ensureTopic(name: string, allowAutoCreate: boolean): boolean {
    if (this.topics.get(name)) return true;
    if (!allowAutoCreate || !this.options.autoCreateTopics) return false;
    try {
      this.topics.create(name, this.options.defaultPartitions);
      this.options.log(`auto-created topic ${name} with ${this.options.defaultPartitions} partition(s)`);
      return true;
    } catch (e) {
      if (e instanceof TopicError) return false;
      throw e;
    }
  }

  public deleteTopic(name: string): void {
    this.topics.delete(name);
    this.producers.forgetTopic(name);
    this.groups.deleteTopic(name);
  }

  /** Appends a validated client batch, applying idempotent-producer sequence rules. */
  public append(partition: Partition, batch: Buffer): AppendResult {
    const pid = Number(batch.readBigInt64BE(43));
    if (pid >= 0) {
      const check: SequenceCheck = this.producers.check(
        partition.topic,
        partition.index,
        pid,
        batch.readInt16BE(51),
        batch.readInt32BE(53),
        batch.readInt32BE(57),
      );
      if (check.kind === 'duplicate') return { errorCode: ErrorCode.NONE, baseOffset: check.baseOffset };
      if (check.kind === 'error') return { errorCode: check.errorCode, baseOffset: -1, reason: check.reason };
    }
    const stored: StoredBatch = partition.log.append(batch);
    if (pid >= 0) this.producers.record(partition.topic, partition.index, stored);
    this.fetchWaiters.notify(partition.topic, partition.index);
    return { errorCode: ErrorCode.NONE, baseOffset: stored.baseOffset };
  }

  public close(): void {
    this.fetchWaiters.cancelAll();
    this.groups.close();
    this.topics.close();
    this.storage.close();
  }
}
