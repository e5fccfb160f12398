// What the broker persists: topics, partition logs, committed group offsets and the producer-id sequence.
// MemoryStorage keeps it all in the process; FileStorage (a data directory) survives restarts.
import type { PartitionLog } from './partition-log';

export interface TopicRecord {
  name: string;
  partitions: number;
}

export interface CommittedOffset {
  group: string;
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

export interface Storage {
  loadTopics(): TopicRecord[];
  /** Replaces the whole topic list atomically. */
  saveTopics(topics: readonly TopicRecord[]): void;
  openPartitionLog(topic: string, partition: number): PartitionLog;
  /** Removes every partition log of a topic (data included). */
  deleteTopicData(topic: string): void;
  /** Latest commit per (group, topic, partition). */
  loadCommittedOffsets(): CommittedOffset[];
  appendCommittedOffsets(commits: readonly CommittedOffset[]): void;
  deleteGroupOffsets(group: string): void;
  deleteTopicOffsets(topic: string): void;
  /** The last producer id handed out (0 when none). */
  loadProducerIdSequence(): number;
  saveProducerIdSequence(last: number): void;
  close(): void;
}
