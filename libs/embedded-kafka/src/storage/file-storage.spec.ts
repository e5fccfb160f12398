import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStorage, partitionDirName } from './file-storage';
import type { CommittedOffset } from './storage';
import { makeBatch } from './test-batches';

describe('FileStorage', () => {
  let dataDir: string;
  let messages: string[];
  let storage: FileStorage | undefined;
  const open = (fsync: 'always' | 'never' = 'never', segmentBytes?: number): FileStorage => {
    storage = new FileStorage(dataDir, { fsync, segmentBytes, log: (m) => messages.push(m) });
    return storage;
  };
  const reopen = (fsync: 'always' | 'never' = 'never'): FileStorage => {
    storage?.close();
    return open(fsync);
  };
  const commit = (group: string, topic: string, partition: number, offset: number): CommittedOffset => ({
    group,
    topic,
    partition,
    offset,
    metadata: null,
  });
  const sorted = (cs: CommittedOffset[]): CommittedOffset[] =>
    [...cs].sort((a, b) =>
      `${a.group}/${a.topic}/${a.partition}`.localeCompare(`${b.group}/${b.topic}/${b.partition}`),
    );
  const offsetsLines = (): string[] =>
    fs.readFileSync(path.join(dataDir, 'group-offsets.log'), 'utf8').split('\n').filter(Boolean);

  beforeEach(() => {
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'file-storage-')), 'data');
    messages = [];
    storage = undefined;
  });

  afterEach(() => {
    storage?.close();
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  describe('topics', () => {
    it('starts empty, saves atomically and loads after reopen', () => {
      let s = open('always');
      expect(s.loadTopics()).toEqual([]);
      s.saveTopics([
        { name: 'orders', partitions: 3 },
        { name: 'a.b_c-d', partitions: 1 },
      ]);
      s.saveTopics([{ name: 'orders', partitions: 4 }]);
      expect(fs.readdirSync(dataDir).sort()).toEqual(['logs', 'topics.json']); // no tmp file left behind
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'topics.json'), 'utf8'))).toEqual({
        version: 1,
        topics: [{ name: 'orders', partitions: 4 }],
      });
      s = reopen();
      expect(s.loadTopics()).toEqual([{ name: 'orders', partitions: 4 }]);
    });

    it('refuses to save a topic list it could not load back', () => {
      const s = open();
      s.saveTopics([{ name: 'ok', partitions: 1 }]);
      expect(() => s.saveTopics([{ name: 'bad', partitions: 0 }])).toThrow('saveTopics: topics[0] (bad).partitions');
      expect(() =>
        s.saveTopics([
          { name: 'x', partitions: 1 },
          { name: 'x', partitions: 2 },
        ]),
      ).toThrow('topic x is listed twice');
      expect(reopen().loadTopics()).toEqual([{ name: 'ok', partitions: 1 }]);
    });

    it('refuses to start on a topics.json that is not JSON', () => {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'topics.json'), '{"version":1,"topics":[{"name":"orders"');
      expect(() => open()).toThrow(`${path.join(dataDir, 'topics.json')}: not valid JSON`);
    });

    it('refuses to start on a topics.json of the wrong shape', () => {
      fs.mkdirSync(dataDir, { recursive: true });
      const file = path.join(dataDir, 'topics.json');
      fs.writeFileSync(file, '[{"name":"orders","partitions":1}]');
      expect(() => open()).toThrow(`${file}: expected {"version":1,"topics":[`);
      fs.writeFileSync(file, '{"version":1,"topics":[{"name":"orders","partitions":"3"}]}');
      expect(() => open()).toThrow(`${file}: topics[0] (orders).partitions must be a positive integer`);
      fs.writeFileSync(file, '{"version":1,"topics":[{"partitions":3}]}');
      expect(() => open()).toThrow(`${file}: topics[0].name must be a non-empty string`);
      fs.writeFileSync(file, '');
      expect(() => open()).toThrow(`${file}: not valid JSON`);
    });
  });

  describe('partition logs', () => {
    it('persists appends across a storage restart, with segment rolls', () => {
      const one = makeBatch().length;
      let s = open('never', 2 * one);
      s.saveTopics([{ name: 'orders.v1', partitions: 2 }]);
      const log = s.openPartitionLog('orders.v1', 1);
      for (let i = 0; i < 5; i++) log.append(makeBatch({ producerId: 7, producerEpoch: 0, baseSequence: i }));
      expect(fs.readdirSync(path.join(dataDir, 'logs', 'orders.v1-1')).sort()).toEqual([
        '00000000000000000000.log',
        '00000000000000000002.log',
        '00000000000000000004.log',
      ]);

      s = reopen();
      const again = s.openPartitionLog('orders.v1', 1);
      expect(again.highWatermark).toBe(5);
      expect([...again.batches()].map((b) => [b.baseOffset, b.producerId, b.baseSequence])).toEqual(
        [0, 1, 2, 3, 4].map((i) => [i, 7, i]),
      );
      expect(again.append(makeBatch()).baseOffset).toBe(5);
      expect(s.openPartitionLog('orders.v1', 0).highWatermark).toBe(0);
      expect(messages).toEqual([]);
    });

    it('keeps deleteRecordsBefore across a restart', () => {
      let s = open('always');
      const log = s.openPartitionLog('t', 0);
      for (let i = 0; i < 4; i++) log.append(makeBatch());
      log.deleteRecordsBefore(2);
      s = reopen('always');
      const again = s.openPartitionLog('t', 0);
      expect(again.logStartOffset).toBe(2);
      expect(again.highWatermark).toBe(4);
    });

    it('refuses to open the same partition twice, but allows it after close', () => {
      const s = open();
      const log = s.openPartitionLog('t', 0);
      expect(() => s.openPartitionLog('t', 0)).toThrow(/already open/);
      log.close();
      expect(s.openPartitionLog('t', 0).highWatermark).toBe(0);
    });

    it('encodes topic names so that partition suffixes stay unambiguous', () => {
      expect(partitionDirName('a.b_c-D9', 12)).toBe('a.b_c-D9-12');
      expect(partitionDirName('we/ird', 0)).toBe('we%2Fird-0');
      const s = open();
      s.saveTopics([
        { name: 'a', partitions: 2 },
        { name: 'a-1', partitions: 1 },
      ]);
      s.openPartitionLog('a', 1).append(makeBatch());
      s.openPartitionLog('a-1', 0).append(makeBatch());
      expect(fs.readdirSync(path.join(dataDir, 'logs')).sort()).toEqual(['a-1', 'a-1-0']);
      s.deleteTopicData('a');
      expect(fs.readdirSync(path.join(dataDir, 'logs'))).toEqual(['a-1-0']);
    });

    it('deleteTopicData removes open and never-opened partitions', () => {
      let s = open();
      for (const p of [0, 1, 2]) s.openPartitionLog('gone', p).append(makeBatch());
      s.openPartitionLog('kept', 0).append(makeBatch());
      s = reopen();
      const open0 = s.openPartitionLog('gone', 0);
      s.deleteTopicData('gone');
      expect(fs.readdirSync(path.join(dataDir, 'logs'))).toEqual(['kept-0']);
      expect(() => open0.append(makeBatch())).toThrow(/closed/);
      // A topic re-created under the same name starts empty.
      expect(s.openPartitionLog('gone', 0).highWatermark).toBe(0);
      expect(s.openPartitionLog('kept', 0).highWatermark).toBe(1);
    });

    it('warns about log directories of unknown topics', () => {
      let s = open();
      s.saveTopics([{ name: 'known', partitions: 1 }]);
      s.openPartitionLog('known', 0).append(makeBatch());
      s.openPartitionLog('known', 3).append(makeBatch());
      s = reopen();
      expect(messages).toEqual([expect.stringContaining(`${path.join('logs', 'known-3')}: no such topic partition`)]);
    });

    it('closes every partition log on close, idempotently', () => {
      const s = open();
      const log = s.openPartitionLog('t', 0);
      s.close();
      s.close();
      expect(() => log.append(makeBatch())).toThrow(/closed/);
      expect(() => s.openPartitionLog('t', 1)).toThrow(/closed/);
    });
  });

  describe('committed offsets', () => {
    it('keeps the latest commit per group, topic and partition, across reopen', () => {
      let s = open('always');
      s.appendCommittedOffsets([commit('g1', 't', 0, 5), commit('g1', 't', 1, 7)]);
      s.appendCommittedOffsets([{ ...commit('g1', 't', 0, 9), metadata: 'm' }, commit('g2', 't', 0, 1)]);
      const expected = [
        { ...commit('g1', 't', 0, 9), metadata: 'm' },
        commit('g1', 't', 1, 7),
        commit('g2', 't', 0, 1),
      ];
      expect(sorted(s.loadCommittedOffsets())).toEqual(expected);
      s = reopen();
      expect(sorted(s.loadCommittedOffsets())).toEqual(expected);
    });

    it('applies group and topic tombstones, also after reopen', () => {
      let s = open();
      s.appendCommittedOffsets([commit('g1', 'a', 0, 1), commit('g1', 'b', 0, 2), commit('g2', 'a', 0, 3)]);
      s.appendCommittedOffsets([commit('g3', 'b', 0, 4)]);
      s.deleteGroupOffsets('g1');
      expect(sorted(s.loadCommittedOffsets())).toEqual([commit('g2', 'a', 0, 3), commit('g3', 'b', 0, 4)]);
      s.deleteTopicOffsets('a');
      expect(s.loadCommittedOffsets()).toEqual([commit('g3', 'b', 0, 4)]);
      // A commit after a tombstone counts again.
      s.appendCommittedOffsets([commit('g1', 'a', 0, 10)]);
      s = reopen();
      expect(sorted(s.loadCommittedOffsets())).toEqual([commit('g1', 'a', 0, 10), commit('g3', 'b', 0, 4)]);
    });

    it('compacts the file on load to one line per live commit', () => {
      let s = open();
      for (let i = 0; i < 5; i++) s.appendCommittedOffsets([commit('g', 't', 0, i), commit('g', 't', 1, i)]);
      s.appendCommittedOffsets([commit('old', 't', 0, 1)]);
      s.deleteGroupOffsets('old');
      expect(offsetsLines()).toHaveLength(12);
      s = reopen();
      expect(offsetsLines()).toHaveLength(2);
      expect(offsetsLines().map((l) => JSON.parse(l) as unknown)).toEqual(
        expect.arrayContaining([{ type: 'commit', ...commit('g', 't', 1, 4) }]),
      );
      expect(fs.existsSync(path.join(dataDir, 'group-offsets.log.tmp'))).toBe(false);
      // Appends after compaction land in the new file.
      s.appendCommittedOffsets([commit('g', 't', 0, 99)]);
      s = reopen();
      expect(sorted(s.loadCommittedOffsets())).toEqual([commit('g', 't', 0, 99), commit('g', 't', 1, 4)]);
    });

    it('compacts while running once the file is mostly stale', () => {
      const s = open();
      for (let i = 0; i < 10_000; i++) s.appendCommittedOffsets([commit('g', 't', i % 2, i)]);
      expect(offsetsLines().length).toBeLessThan(10);
      s.appendCommittedOffsets([commit('g', 't', 0, 1_000_000)]);
      expect(sorted(reopen().loadCommittedOffsets())).toEqual([
        commit('g', 't', 0, 1_000_000),
        commit('g', 't', 1, 9999),
      ]);
    });

    it('drops a torn last line and continues on a fresh line', () => {
      let s = open();
      s.appendCommittedOffsets([commit('g', 't', 0, 1)]);
      s.close();
      fs.appendFileSync(path.join(dataDir, 'group-offsets.log'), '{"type":"commit","group":"g","top');
      s = open();
      expect(messages).toEqual([expect.stringContaining('unfinished last line')]);
      expect(s.loadCommittedOffsets()).toEqual([commit('g', 't', 0, 1)]);
      s.appendCommittedOffsets([commit('g', 't', 1, 2)]);
      s = reopen();
      expect(sorted(s.loadCommittedOffsets())).toEqual([commit('g', 't', 0, 1), commit('g', 't', 1, 2)]);
    });

    it('refuses to start on a corrupt line in the middle', () => {
      fs.mkdirSync(dataDir, { recursive: true });
      const file = path.join(dataDir, 'group-offsets.log');
      fs.writeFileSync(file, `${JSON.stringify({ type: 'commit', ...commit('g', 't', 0, 1) })}\nnot json\n`);
      expect(() => open()).toThrow(`${file}: line 2 is not a valid commit or tombstone`);
    });
  });

  describe('producer ids', () => {
    it('persists the sequence', () => {
      let s = open('always');
      expect(s.loadProducerIdSequence()).toBe(0);
      s.saveProducerIdSequence(41);
      s.saveProducerIdSequence(42);
      s = reopen();
      expect(s.loadProducerIdSequence()).toBe(42);
    });

    it('refuses to start on a malformed producer-ids.json', () => {
      fs.mkdirSync(dataDir, { recursive: true });
      const file = path.join(dataDir, 'producer-ids.json');
      fs.writeFileSync(file, '{"version":1,"lastProducerId":-3}');
      expect(() => open()).toThrow(`${file}: expected {"version":1,"lastProducerId":non-negative integer}`);
    });
  });
});
