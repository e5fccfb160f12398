import { Type } from 'avsc';
import { checkCompatibility, checkPair, parseCompatibilityLevel, type VersionedType } from './compatibility';

const record = (fields: object[]): Type => Type.forSchema({ type: 'record', name: 'User', fields } as never);
const history = (...types: Type[]): VersionedType[] => types.map((type, i) => ({ version: i + 1, type }));

const a = { name: 'a', type: 'string' };
const bDefault = { name: 'b', type: 'string', default: 'x' };
const bRequired = { name: 'b', type: 'string' };

describe('parseCompatibilityLevel', () => {
  it('accepts the Confluent levels in any case', () => {
    expect(parseCompatibilityLevel('backward_transitive')).toBe('BACKWARD_TRANSITIVE');
    expect(parseCompatibilityLevel('FULL')).toBe('FULL');
    expect(parseCompatibilityLevel('SIDEWAYS')).toBeUndefined();
  });
});

describe('checkCompatibility', () => {
  it('BACKWARD: the new schema must read the latest data; adding a field needs a default', () => {
    const v1 = history(record([a]));
    expect(checkCompatibility('BACKWARD', record([a, bDefault]), v1)).toEqual([]);
    const problems = checkCompatibility('BACKWARD', record([a, bRequired]), v1);
    expect(problems).toEqual([expect.stringMatching(/version 1: no matching field for default-less User.b/)]);
    expect(checkCompatibility('BACKWARD', record([{ name: 'a', type: 'int' }]), v1)).toHaveLength(1);
    // Removing a field is fine for a reader.
    expect(checkCompatibility('BACKWARD', record([]), v1)).toEqual([]);
  });

  it('FORWARD: old readers must read new data; removing a field without default breaks them', () => {
    const v1 = history(record([a, bRequired]));
    expect(checkCompatibility('FORWARD', record([a, bRequired, { name: 'c', type: 'int' }]), v1)).toEqual([]);
    expect(checkCompatibility('FORWARD', record([a]), v1)).toEqual([
      expect.stringMatching(/version 1 cannot read data written with new schema/),
    ]);
  });

  it('FULL needs both directions', () => {
    const v1 = history(record([a]));
    expect(checkCompatibility('FULL', record([a, bDefault]), v1)).toEqual([]);
    expect(checkCompatibility('FULL', record([a, bRequired]), v1)).toHaveLength(1);
    expect(checkCompatibility('FULL', record([{ name: 'a', type: 'int' }]), v1)).toHaveLength(2);
  });

  it('BACKWARD_TRANSITIVE checks every version, BACKWARD only the latest', () => {
    const versions = history(record([a]), record([a, bDefault]));
    const v3 = record([a, bRequired]);
    expect(checkCompatibility('BACKWARD', v3, versions)).toEqual([]);
    expect(checkCompatibility('BACKWARD_TRANSITIVE', v3, versions)).toEqual([expect.stringMatching(/version 1/)]);
  });

  it('FORWARD_TRANSITIVE and FULL_TRANSITIVE check every version', () => {
    const versions = history(record([a, bRequired]), record([a, bDefault]));
    const v3 = record([a]);
    expect(checkCompatibility('FORWARD', v3, versions)).toEqual([]);
    expect(checkCompatibility('FORWARD_TRANSITIVE', v3, versions)).toEqual([expect.stringMatching(/version 1 /)]);
    expect(checkCompatibility('FULL', v3, versions)).toEqual([]);
    expect(checkCompatibility('FULL_TRANSITIVE', v3, versions)).toHaveLength(1);
  });

  it('NONE accepts anything, and an empty history is always compatible', () => {
    expect(checkCompatibility('NONE', Type.forSchema('int'), history(Type.forSchema('string')))).toEqual([]);
    expect(checkCompatibility('FULL_TRANSITIVE', Type.forSchema('int'), [])).toEqual([]);
  });

  it('explains a record replaced by a primitive', () => {
    expect(checkPair('FULL', Type.forSchema('string'), history(record([a]))[0]!)).toEqual([
      'new schema cannot read data written with version 1: cannot read "User" as "string"',
      'version 1 cannot read data written with new schema: cannot read "string" as "User"',
    ]);
  });

  it('understands promotions, unions and enums', () => {
    const [v1] = history(Type.forSchema('int'));
    expect(checkPair('BACKWARD', Type.forSchema('long'), v1!)).toEqual([]);
    expect(checkPair('FORWARD', Type.forSchema('long'), v1!)).toHaveLength(1);
    const [optional] = history(Type.forSchema(['null', 'string']));
    expect(checkPair('BACKWARD', Type.forSchema('string'), optional!)).toHaveLength(1);
    const [ab] = history(Type.forSchema({ type: 'enum', name: 'E', symbols: ['A', 'B'] }));
    expect(checkPair('BACKWARD', Type.forSchema({ type: 'enum', name: 'E', symbols: ['A'] }), ab!)).toHaveLength(1);
    expect(checkPair('BACKWARD', Type.forSchema({ type: 'enum', name: 'E', symbols: ['A', 'B', 'C'] }), ab!)).toEqual(
      [],
    );
  });
});
