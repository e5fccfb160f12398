import { RegistryError } from './errors';
import { SchemaRegistryCore, type SchemaInput } from './registry';

const user = (...extra: object[]): SchemaInput => ({
  schema: JSON.stringify({
    type: 'record',
    name: 'User',
    namespace: 'com.example',
    fields: [{ name: 'id', type: 'long' }, ...extra],
  }),
});
const withEmail = user({ name: 'email', type: 'string', default: '' });
const withRequiredEmail = user({ name: 'email', type: 'string' });

function errorOf(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  throw new Error('expected a RegistryError');
}

describe('SchemaRegistryCore', () => {
  let registry: SchemaRegistryCore;
  beforeEach(() => {
    registry = new SchemaRegistryCore();
  });

  it('registers versions and serves them by subject, version and id', () => {
    expect(registry.register('users', user())).toEqual({ id: 1, version: 1, created: true });
    expect(registry.register('users', withEmail)).toEqual({ id: 2, version: 2, created: true });
    expect(registry.subjects()).toEqual(['users']);
    expect(registry.versions('users')).toEqual([1, 2]);
    expect(registry.version('users', 'latest')).toMatchObject({ subject: 'users', version: 2, id: 2 });
    expect(registry.version('users', 1).schema).toBe(user().schema);
    expect(registry.schemaById(2)).toEqual({ schema: withEmail.schema, references: [] });
    expect(registry.subjectVersionsForId(1)).toEqual([{ subject: 'users', version: 1 }]);
  });

  it('returns the existing id when the same schema is registered again, in any formatting', () => {
    registry.register('users', user());
    const reformatted = JSON.stringify(JSON.parse(user().schema), null, 2);
    expect(registry.register('users', { schema: reformatted })).toEqual({ id: 1, version: 1, created: false });
    expect(registry.versions('users')).toEqual([1]);
  });

  it('shares one global id for the same schema under different subjects', () => {
    registry.register('a-value', withEmail);
    registry.register('b-value', user());
    expect(registry.register('c-value', withEmail)).toEqual({ id: 1, version: 1, created: true });
    expect(registry.subjectVersionsForId(1)).toEqual([
      { subject: 'a-value', version: 1 },
      { subject: 'c-value', version: 1 },
    ]);
  });

  it('looks schemas up under a subject', () => {
    registry.register('users', user());
    registry.register('users', withEmail);
    expect(registry.lookup('users', withEmail)).toMatchObject({ subject: 'users', id: 2, version: 2 });
    expect(errorOf(() => registry.lookup('users', user({ name: 'x', type: 'int', default: 0 }))).errorCode).toBe(40403);
    expect(errorOf(() => registry.lookup('nobody', user())).errorCode).toBe(40401);
  });

  it('answers Confluent error codes for missing things', () => {
    registry.register('users', user());
    expect(errorOf(() => registry.schemaById(99))).toMatchObject({ status: 404, errorCode: 40403 });
    expect(errorOf(() => registry.versions('nobody'))).toMatchObject({ status: 404, errorCode: 40401 });
    expect(errorOf(() => registry.version('users', 7))).toMatchObject({ status: 404, errorCode: 40402 });
  });

  it('rejects invalid Avro and other schema types with 42201', () => {
    const invalid = errorOf(() => registry.register('users', { schema: '{"type":"record","name":"A"}' }));
    expect(invalid).toMatchObject({ status: 422, errorCode: 42201 });
    expect(invalid.message).toMatch(/^Invalid schema: /);
    const proto = errorOf(() => registry.register('users', { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' }));
    expect(proto).toMatchObject({ status: 422, errorCode: 42201 });
    expect(proto.message).toMatch(/only AVRO is supported by the embedded registry/);
    expect(registry.register('users', { ...user(), schemaType: 'AVRO' }).id).toBe(1);
  });

  it('refuses an incompatible schema with 409 under the default BACKWARD level', () => {
    registry.register('users', user());
    const err = errorOf(() => registry.register('users', withRequiredEmail));
    expect(err).toMatchObject({ status: 409, errorCode: 409 });
    expect(err.message).toMatch(/^Schema being registered is incompatible with an earlier schema for subject "users"/);
    expect(err.message).toMatch(/no matching field for default-less com.example.User.email/);
    expect(registry.versions('users')).toEqual([1]);
  });

  it('applies subject levels over the global one, transitive ones against all versions', () => {
    registry.register('users', user());
    registry.register('users', withEmail);
    // Against the latest only this is fine: v2 has email.
    expect(registry.testCompatibility('users', 'all', withRequiredEmail)).toEqual([]);
    registry.setSubjectCompatibility('users', 'backward_transitive');
    expect(registry.subjectCompatibility('users')).toBe('BACKWARD_TRANSITIVE');
    expect(registry.testCompatibility('users', 'all', withRequiredEmail)).toHaveLength(1);
    expect(registry.testCompatibility('users', 2, withRequiredEmail)).toEqual([]);
    expect(registry.testCompatibility('users', 1, withRequiredEmail)).toHaveLength(1);
    expect(errorOf(() => registry.register('users', withRequiredEmail)).status).toBe(409);

    registry.setGlobalCompatibility('NONE');
    expect(errorOf(() => registry.register('users', withRequiredEmail)).status).toBe(409);
    registry.deleteSubjectCompatibility('users');
    expect(registry.register('users', withRequiredEmail).version).toBe(3);
  });

  it('reports subject config like Confluent: 40408 unless defaultToGlobal', () => {
    expect(registry.globalCompatibility()).toBe('BACKWARD');
    expect(errorOf(() => registry.subjectCompatibility('users'))).toMatchObject({ status: 404, errorCode: 40408 });
    expect(registry.subjectCompatibility('users', true)).toBe('BACKWARD');
    expect(errorOf(() => registry.setGlobalCompatibility('SIDEWAYS'))).toMatchObject({ errorCode: 42203 });
  });

  it('checks compatibility against a given version, with 40401/40402 when it is missing', () => {
    registry.register('users', user());
    expect(registry.testCompatibility('users', 'latest', withEmail)).toEqual([]);
    expect(registry.testCompatibility('users', 'latest', withRequiredEmail)).toHaveLength(1);
    expect(errorOf(() => registry.testCompatibility('nobody', 'latest', user())).errorCode).toBe(40401);
    expect(errorOf(() => registry.testCompatibility('users', 5, user())).errorCode).toBe(40402);
    expect(registry.testCompatibility('nobody', 'all', user())).toEqual([]);
  });

  it('deletes subjects and versions but never reuses ids', () => {
    registry.register('users', user());
    registry.register('users', withEmail);
    registry.setSubjectCompatibility('users', 'FULL');
    expect(registry.deleteVersion('users', 'latest')).toBe(2);
    expect(registry.versions('users')).toEqual([1]);
    expect(registry.deleteSubject('users')).toEqual([1]);
    expect(registry.subjects()).toEqual([]);
    expect(errorOf(() => registry.subjectCompatibility('users')).errorCode).toBe(40408);
    // The schema is still known by id, and registering it again reuses that id.
    expect(registry.schemaById(2).schema).toBe(withEmail.schema);
    expect(registry.register('users', withEmail)).toEqual({ id: 2, version: 1, created: true });
    expect(registry.register('other', withRequiredEmail).id).toBe(3);
  });

  it('resolves schema references and protects referenced versions from deletion', () => {
    const address = {
      schema: '{"type":"record","name":"com.example.Address","fields":[{"name":"city","type":"string"}]}',
    };
    const person = {
      schema: '{"type":"record","name":"com.example.Person","fields":[{"name":"home","type":"com.example.Address"}]}',
      references: [{ name: 'com.example.Address', subject: 'address', version: 1 }],
    };
    registry.register('address', address);
    const { id } = registry.register('person', person);
    expect(registry.schemaById(id).references).toEqual(person.references);
    expect(registry.lookup('person', person).id).toBe(id);
    expect(errorOf(() => registry.register('p2', { schema: person.schema })).errorCode).toBe(42201);
    expect(
      errorOf(() => registry.register('p2', { ...person, references: [{ ...person.references[0]!, version: 9 }] }))
        .message,
    ).toMatch(/version 9, which does not exist/);
    expect(errorOf(() => registry.deleteSubject('address'))).toMatchObject({ status: 422, errorCode: 42206 });
    registry.deleteSubject('person');
    expect(registry.deleteSubject('address')).toEqual([1]);
  });
});
