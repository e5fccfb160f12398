import Database from 'better-sqlite3';
import { addColumnIfMissing, cachePreparedStatements } from './sqlite-statements';

describe('cachePreparedStatements', () => {
  it('compiles each SQL text once and keeps the statements working', () => {
    const db = cachePreparedStatements(new Database(':memory:'));
    try {
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      expect(db.prepare('INSERT INTO t (v) VALUES (?)')).toBe(insert);
      insert.run('a');
      db.prepare('INSERT INTO t (v) VALUES (?)').run('b');
      expect(db.prepare('SELECT v FROM t ORDER BY id').all()).toEqual([{ v: 'a' }, { v: 'b' }]);
      expect(db.prepare('SELECT v FROM t WHERE id = ?')).not.toBe(db.prepare('SELECT v FROM t WHERE id > ?'));
    } finally {
      db.close();
    }
  });

  it('leaves better-sqlite3 helpers that prepare internally (pragma, transaction) working', () => {
    const db = cachePreparedStatements(new Database(':memory:'));
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(0);
      db.pragma('user_version = 7');
      expect(db.pragma('user_version', { simple: true })).toBe(7);
      db.exec('CREATE TABLE t (v INTEGER)');
      db.transaction(() => db.prepare('INSERT INTO t VALUES (?)').run(1))();
      expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});

describe('addColumnIfMissing', () => {
  it('adds the column to an older table once, keeping its rows', () => {
    const db = new Database(':memory:');
    try {
      db.exec("CREATE TABLE jobs (id TEXT PRIMARY KEY); INSERT INTO jobs VALUES ('a')");
      addColumnIfMissing(db, 'jobs', 'trace_parent', 'TEXT');
      addColumnIfMissing(db, 'jobs', 'trace_parent', 'TEXT');
      expect(db.prepare('SELECT * FROM jobs').all()).toEqual([{ id: 'a', trace_parent: null }]);
    } finally {
      db.close();
    }
  });
});
