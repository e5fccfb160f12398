import { buildType, canonicalSchema, parseSchemaJson } from './avro-schema';
import { RegistryError } from './errors';

const canonical = (text: string): string => canonicalSchema(parseSchemaJson(text));

describe('canonicalSchema', () => {
  const user = {
    type: 'record',
    name: 'User',
    namespace: 'com.example',
    doc: 'a user',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'email', type: ['null', 'string'], default: null },
    ],
  };

  it('ignores whitespace and key order', () => {
    const spaced = JSON.stringify(user, null, 4);
    const reordered = JSON.stringify({
      fields: [
        { type: 'long', name: 'id' },
        { default: null, type: ['null', 'string'], name: 'email' },
      ],
      doc: 'a user',
      namespace: 'com.example',
      name: 'User',
      type: 'record',
    });
    expect(canonical(spaced)).toBe(canonical(JSON.stringify(user)));
    expect(canonical(reordered)).toBe(canonical(JSON.stringify(user)));
  });

  it('treats {"type": "string"} as "string"', () => {
    const wrapped = { ...user, fields: [{ name: 'id', type: { type: 'long' } }, user.fields[1]] };
    expect(canonical(JSON.stringify(wrapped))).toBe(canonical(JSON.stringify(user)));
    expect(canonical('{"type":"string"}')).toBe(canonical('"string"'));
  });

  it('keeps field order, docs, defaults and logical types significant', () => {
    const base = canonical(JSON.stringify(user));
    const swapped = { ...user, fields: [user.fields[1], user.fields[0]] };
    expect(canonical(JSON.stringify(swapped))).not.toBe(base);
    expect(canonical(JSON.stringify({ ...user, doc: 'another' }))).not.toBe(base);
    const ts = { ...user, fields: [{ name: 'id', type: { type: 'long', logicalType: 'timestamp-millis' } }] };
    const plain = { ...user, fields: [{ name: 'id', type: 'long' }] };
    expect(canonical(JSON.stringify(ts))).not.toBe(canonical(JSON.stringify(plain)));
  });

  it('does not collapse record values inside defaults', () => {
    const withDefault = (value: unknown): string =>
      canonical(
        JSON.stringify({
          type: 'record',
          name: 'Outer',
          fields: [
            {
              name: 'inner',
              type: { type: 'record', name: 'Inner', fields: [{ name: 'type', type: 'string' }] },
              default: value,
            },
          ],
        }),
      );
    expect(withDefault({ type: 'string' })).toContain('"default":{"type":"string"}');
  });
});

describe('buildType', () => {
  const problem = (text: string): string => {
    try {
      buildType(text);
    } catch (err) {
      expect(err).toBeInstanceOf(RegistryError);
      expect((err as RegistryError).errorCode).toBe(42201);
      return (err as RegistryError).message;
    }
    throw new Error('expected the schema to be rejected');
  };

  it('rejects invalid Avro with the parser reason', () => {
    expect(problem('{"type":"recrd","name":"A","fields":[]}')).toMatch(/unknown type: "recrd"/);
    expect(problem('{"type":"record","fields":[]}')).toMatch(/missing name/);
    expect(problem('{"type":"record","name":"A","fields":[{"name":"x","type":"int","default":"a"}]}')).toMatch(
      /incompatible field default/,
    );
    expect(problem('{"type":')).toMatch(/not valid JSON/);
  });

  it('resolves names defined by referenced schemas', () => {
    const address = '{"type":"record","name":"com.example.Address","fields":[{"name":"city","type":"string"}]}';
    const person =
      '{"type":"record","name":"com.example.Person","fields":[{"name":"home","type":"com.example.Address"}]}';
    expect(problem(person)).toMatch(/undefined type name/);
    expect(buildType(person, [address]).name).toBe('com.example.Person');
  });
});
