import { MemoryPartitionLog } from './memory-partition-log';
import type { PartitionLog } from './partition-log';
import type { CommittedOffset, Storage, TopicRecord } from './storage';

/** Nothing survives the process: for tests and throwaway brokers. */
export class MemoryStorage implements Storage {
  private topics: TopicRecord[] = [];
  private readonly commits = new Map<string, CommittedOffset>();
  private producerIdSeq = 0;

  public loadTopics(): TopicRecord[] {
    return this.topics.map((t) => ({ ...t }));
  }

  public saveTopics(topics: readonly TopicRecord[]): void {
    this.topics = topics.map((t) => ({ ...t }));
  }

  public openPartitionLog(_topic: string, _partition: number): PartitionLog {
    return new MemoryPartitionLog();
  }

  public deleteTopicData(_topic: string): void {}

  public loadCommittedOffsets(): CommittedOffset[] {
    return [...this.commits.values()];
  }

  public appendCommittedOffsets(commits: readonly CommittedOffset[]): void {
    for (const c of commits) this.commits.set(`${c.group}\u0000${c.topic}\u0000${c.partition}`, { ...c });
  }

  public deleteGroupOffsets(group: string): void {
    for (const [k, c] of this.commits) if (c.group === group) this.commits.delete(k);
  }

  public deleteTopicOffsets(topic: string): void {
    for (const [k, c] of this.commits) if (c.topic === topic) this.commits.delete(k);
  }

  public loadProducerIdSequence(): number {
    return this.producerIdSeq;
  }

  public saveProducerIdSequence(last: number): void {
    this.producerIdSeq = last;
  }

  public close(): void {}
}
