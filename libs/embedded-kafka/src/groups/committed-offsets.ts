// Committed offsets of every group, indexed in memory and written through to Storage. They live apart from the
// group's membership state: a group with no members (or that never had any) still owns its offsets.
import type { CommittedOffset, Storage } from '../storage/storage';

export class CommittedOffsets {
  // group → "topic\0partition" → commit
  private readonly byGroup = new Map<string, Map<string, CommittedOffset>>();

  public constructor(private readonly storage: Storage) {
    for (const c of storage.loadCommittedOffsets()) this.put(c);
  }

  public groupIds(): string[] {
    return [...this.byGroup.keys()];
  }

  public hasGroup(group: string): boolean {
    return this.byGroup.has(group);
  }

  public get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(group)?.get(key(topic, partition));
  }

  /** Every commit of a group, by topic then partition. */
  public list(group: string): CommittedOffset[] {
    const commits = [...(this.byGroup.get(group)?.values() ?? [])];
    return commits.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** Persists first, so memory never claims a commit that storage refused. */
  public commit(commits: readonly CommittedOffset[]): void {
    if (commits.length === 0) return;
    this.storage.appendCommittedOffsets(commits);
    for (const c of commits) this.put(c);
  }

  public deleteGroup(group: string): void {
    this.storage.deleteGroupOffsets(group);
    this.byGroup.delete(group);
  }

  public deleteTopic(topic: string): void {
    this.storage.deleteTopicOffsets(topic);
    for (const [group, commits] of this.byGroup) {
      for (const [k, c] of commits) if (c.topic === topic) commits.delete(k);
      if (commits.size === 0) this.byGroup.delete(group);
    }
  }

  private put(c: CommittedOffset): void {
    let commits = this.byGroup.get(c.group);
    if (!commits) this.byGroup.set(c.group, (commits = new Map<string, CommittedOffset>()));
    commits.set(key(c.topic, c.partition), { ...c });
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
