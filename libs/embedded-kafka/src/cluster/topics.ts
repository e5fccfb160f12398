// Topics and partitions: names, partition counts, leaders, and each partition's log.
import { ErrorCode } from '../protocol/error-codes';
import type { PartitionLog } from '../storage/partition-log';
import type { Storage } from '../storage/storage';

export interface Partition {
  readonly topic: string;
  readonly index: number;
  readonly leader: number;
  readonly log: PartitionLog;
}

export interface Topic {
  readonly name: string;
  readonly partitions: Partition[];
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;

/** Kafka's topic-name rule; returns a reason when illegal. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name "${name}" is reserved`;
  if (name.length > 249) return `topic name is ${name.length} characters, the limit is 249`;
  if (!LEGAL_TOPIC.test(name)) return `topic name "${name}" may only contain ASCII letters, digits, '.', '_' and '-'`;
  return null;
}

export class TopicError extends Error {
  public constructor(
    message: string,
    public readonly errorCode: number,
  ) {
    super(message);
    this.name = 'TopicError';
  }
}

export class TopicRegistry {
  private readonly topics = new Map<string, Topic>();

  public constructor(
    private readonly storage: Storage,
    private readonly nodeIds: readonly number[],
  ) {
    for (const t of storage.loadTopics()) this.materialize(t.name, t.partitions);
  }

  public get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  public partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  public list(): Topic[] {
    return [...this.topics.values()];
  }

  public create(name: string, partitions: number): Topic {
    const problem = topicNameProblem(name);
    if (problem) throw new TopicError(problem, ErrorCode.INVALID_TOPIC_EXCEPTION);
    if (this.topics.has(name)) throw new TopicError(`topic "${name}" already exists`, ErrorCode.TOPIC_ALREADY_EXISTS);
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new TopicError(`partition count must be at least 1, got ${partitions}`, ErrorCode.INVALID_PARTITIONS);
    }
    // Leftovers of an earlier topic of this name (a crash between deletes) must not come back to life.
    this.storage.deleteTopicData(name);
    const topic = this.materialize(name, partitions);
    this.persist();
    return topic;
  }

  public delete(name: string): void {
    const topic = this.topics.get(name);
    if (!topic) throw new TopicError(`topic "${name}" does not exist`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    this.topics.delete(name);
    this.persist();
    for (const p of topic.partitions) p.log.destroy();
    this.storage.deleteTopicData(name);
  }

  public addPartitions(name: string, total: number): void {
    const topic = this.topics.get(name);
    if (!topic) throw new TopicError(`topic "${name}" does not exist`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (!Number.isInteger(total) || total <= topic.partitions.length) {
      throw new TopicError(
        `topic "${name}" has ${topic.partitions.length} partitions; the new count must be larger, got ${total}`,
        ErrorCode.INVALID_PARTITIONS,
      );
    }
    for (let i = topic.partitions.length; i < total; i++) topic.partitions.push(this.newPartition(name, i));
    this.persist();
  }

  public close(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.log.close();
  }

  private materialize(name: string, count: number): Topic {
    const topic: Topic = { name, partitions: [] };
    for (let i = 0; i < count; i++) topic.partitions.push(this.newPartition(name, i));
    this.topics.set(name, topic);
    return topic;
  }

  private newPartition(topic: string, index: number): Partition {
    // Spread leaders over brokers, starting at a topic-dependent broker so small topics don't all land on node 0.
    const leader = this.nodeIds[(stringHash(topic) + index) % this.nodeIds.length] as number;
    return { topic, index, leader, log: this.storage.openPartitionLog(topic, index) };
  }

  private persist(): void {
    this.storage.saveTopics(this.list().map((t) => ({ name: t.name, partitions: t.partitions.length })));
  }
}

export function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h >>> 0;
}
