// Logical types for parsing the catalogue with avsc. They check that a logical type sits on the underlying type the
// Avro spec requires (avsc would otherwise ignore a misplaced one silently) and keep values as they are on the wire,
// so a value decoded here equals one decoded by a client that knows nothing about logical types.
import { type Schema, Type, types } from 'avsc';

abstract class PassThroughLogicalType extends types.LogicalType {
  protected abstract readonly underlying: string;

  protected check(logicalType: string): void {
    const actual = this.underlyingType.typeName;
    if (actual !== this.underlying) {
      throw new Error(`logicalType ${logicalType} must annotate a ${this.underlying}, not a ${actual}`);
    }
  }

  protected override _fromValue(value: unknown): unknown {
    return value;
  }

  protected override _toValue(value: unknown): unknown {
    return value;
  }

  // A writer with the same underlying type (annotated or not) is readable as is.
  protected override _resolve(type: Type): unknown {
    const writer = Type.isType(type, 'logical') ? (type as types.LogicalType).underlyingType : type;
    return writer.typeName === this.underlying ? (value: unknown) => value : undefined;
  }
}

class TimestampMillisType extends PassThroughLogicalType {
  protected readonly underlying = 'long';

  public constructor(schema: Schema, opts?: object) {
    super(schema, opts);
    this.check('timestamp-millis');
  }
}

class UuidType extends PassThroughLogicalType {
  protected readonly underlying = 'string';

  public constructor(schema: Schema, opts?: object) {
    super(schema, opts);
    this.check('uuid');
  }
}

/** The logical types the catalogue uses; any other logicalType is rejected by the generator. */
export const LOGICAL_TYPES = {
  'timestamp-millis': TimestampMillisType,
  uuid: UuidType,
} as const;

/**
 * Parses one catalogue schema with avsc the way every check in this library does: names required (as the Avro spec
 * says), logical types checked, unions of null and one type unwrapped (what the schema-registry client decodes to).
 */
export function parseAvroSchema(schema: unknown): Type {
  return Type.forSchema(schema as Schema, {
    noAnonymousTypes: true,
    assertLogicalTypes: true,
    logicalTypes: LOGICAL_TYPES,
    registry: {},
  });
}
