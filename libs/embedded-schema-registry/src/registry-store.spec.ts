import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RegistryError } from './errors';
import { SchemaRegistryCore } from './registry';
import { FileRegistryStore, STATE_FILE_NAME, type RegistrySnapshot } from './registry-store';

const userV1 = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}';
const userV2 =
  '{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"e","type":"string","default":""}]}';

describe('FileRegistryStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-registry-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = (dataDir = dir): SchemaRegistryCore => new SchemaRegistryCore(new FileRegistryStore(dataDir));
  const file = (): string => path.join(dir, STATE_FILE_NAME);
  const writeState = (state: unknown): void => fs.writeFileSync(file(), JSON.stringify(state));

  it('starts empty without a file and writes nothing until a mutation', () => {
    const registry = open();
    expect(registry.subjects()).toEqual([]);
    expect(fs.existsSync(file())).toBe(false);
  });

  it('round-trips schemas, subjects, versions and configs', () => {
    const first = open(path.join(dir, 'nested', 'data'));
    first.register('users', { schema: userV1 });
    first.register('users', { schema: userV2 });
    first.register('copies', { schema: userV2 });
    first.setGlobalCompatibility('FULL');
    first.setSubjectCompatibility('users', 'NONE');
    first.setSubjectCompatibility('unused', 'FORWARD');

    const second = open(path.join(dir, 'nested', 'data'));
    expect(second.subjects()).toEqual(['copies', 'users']);
    expect(second.versions('users')).toEqual([1, 2]);
    expect(second.version('copies', 1).id).toBe(2);
    expect(second.schemaById(1).schema).toBe(userV1);
    expect(second.globalCompatibility()).toBe('FULL');
    expect(second.subjectCompatibility('users')).toBe('NONE');
    expect(second.subjectCompatibility('unused')).toBe('FORWARD');
    // Identity survives the restart: same schema, same id; a new one gets the next id.
    expect(second.register('more', { schema: userV1 }).id).toBe(1);
    expect(second.register('strings', { schema: '"string"' }).id).toBe(3);
  });

  it('writes atomically: a complete file and no temporary files left behind', () => {
    const registry = open();
    registry.register('users', { schema: userV1 });
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE_NAME]);
    const saved = JSON.parse(fs.readFileSync(file(), 'utf8')) as RegistrySnapshot;
    expect(saved).toMatchObject({ format: 1, compatibility: 'BACKWARD', schemas: [{ id: 1, schema: userV1 }] });
  });

  it('leaves memory unchanged when the write fails', () => {
    const registry = open();
    registry.register('users', { schema: userV1 });
    // A directory in place of the state file makes the final rename fail.
    fs.rmSync(file());
    fs.mkdirSync(file());
    let error: unknown;
    try {
      registry.register('users', { schema: userV2 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ status: 500, errorCode: 50001 });
    expect(registry.versions('users')).toEqual([1]);
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE_NAME]);
  });

  it.each([
    ['not JSON', '{"format":1,', /Unexpected end of JSON input|JSON/],
    [
      'a wrong shape',
      JSON.stringify({ format: 1, compatibility: 'SIDEWAYS', schemas: [], subjects: [] }),
      /compatibility/,
    ],
    [
      'a version pointing at no schema',
      JSON.stringify({
        format: 1,
        compatibility: 'BACKWARD',
        schemas: [],
        subjects: [{ subject: 'users', versions: [{ version: 1, id: 7 }] }],
      }),
      /no schema id 7/,
    ],
    [
      'an unparseable schema',
      JSON.stringify({
        format: 1,
        compatibility: 'BACKWARD',
        schemas: [{ id: 1, schema: '{"type":"nope"}', references: [] }],
        subjects: [],
      }),
      /schema id 1: Invalid schema: unknown type/,
    ],
  ])('refuses to start from a file with %s, naming the file', (_what, content, detail) => {
    fs.writeFileSync(file(), content);
    expect(() => open()).toThrow(`corrupt schema registry state file ${file()}`);
    expect(() => open()).toThrow(detail);
  });

  it('accepts a hand-written minimal file', () => {
    writeState({ format: 1, compatibility: 'NONE', schemas: [], subjects: [] });
    expect(open().globalCompatibility()).toBe('NONE');
  });
});
