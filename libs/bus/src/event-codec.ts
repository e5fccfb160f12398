// Payload ⇄ record value: Avro in the Confluent wire format. The writer schema comes from the schema id in the
// record; the payload is projected onto the contract's (reader) schema, so compatible schema evolution just works.
import { Type, type Resolver, type Schema } from 'avsc';
import { contractOf, type Catalogue, type ErasedContract } from './catalogue';
import { DecodeError, errorText } from './errors';
import { decodeWire, encodeWire } from './wire-format';

/** Where schema ids come from: the schema registry in production, a local table in the in-memory twin. */
export interface SchemaSource {
  /** The id of the contract's schema under its subject (registered if need be). */
  idFor(contract: ErasedContract): Promise<number>;
  /**
   * The writer type of a schema id. Throws DecodeError('unknown-schema') when the id does not exist; any other
   * error is transient (e.g. the registry is down) and must not dead-letter the record.
   */
  typeFor(schemaId: number): Promise<Type>;
}

export class PayloadEncodeError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'PayloadEncodeError';
  }
}

export interface DecodedEvent {
  readonly payload: unknown;
  readonly schemaId: number;
}

export class EventCodec {
  private readonly readers = new Map<string, Type>();
  private readonly resolvers = new Map<string, Resolver>();

  public constructor(
    private readonly catalogue: Catalogue,
    private readonly schemas: SchemaSource,
  ) {}

  public readerType(topic: string): Type {
    let type = this.readers.get(topic);
    if (type === undefined) {
      type = Type.forSchema(contractOf(this.catalogue, topic).schema as unknown as Schema);
      this.readers.set(topic, type);
    }
    return type;
  }

  public async encode(topic: string, payload: unknown): Promise<{ value: Buffer; schemaId: number }> {
    const type = this.readerType(topic);
    const problems: string[] = [];
    const valid = type.isValid(payload, {
      errorHook: (path, value) =>
        problems.push(`${path.join('.') || '(root)'}: ${JSON.stringify(value) ?? 'undefined'}`),
    });
    if (!valid)
      throw new PayloadEncodeError(`payload does not match schema ${type.name ?? topic}: ${problems.join('; ')}`);
    const schemaId = await this.schemas.idFor(contractOf(this.catalogue, topic));
    return { value: encodeWire(schemaId, type.toBuffer(payload)), schemaId };
  }

  /** Throws DecodeError for bad records (magic, unknown-schema, corrupt); other errors are transient. */
  public async decode(topic: string, value: Buffer | null): Promise<DecodedEvent> {
    const { schemaId, body } = decodeWire(value);
    const writer = await this.schemas.typeFor(schemaId);
    const resolver = this.resolverFor(topic, schemaId, writer);
    try {
      return { payload: this.readerType(topic).fromBuffer(body, resolver), schemaId };
    } catch (err) {
      throw new DecodeError(
        'corrupt',
        `Avro body does not decode with schema id ${schemaId}: ${errorText(err)}`,
        schemaId,
        {
          cause: err,
        },
      );
    }
  }

  private resolverFor(topic: string, schemaId: number, writer: Type): Resolver {
    const key = `${topic}\u0000${schemaId}`;
    let resolver = this.resolvers.get(key);
    if (resolver === undefined) {
      try {
        resolver = this.readerType(topic).createResolver(writer);
      } catch (err) {
        // A schema this topic's contract cannot read is, for this consumer, as good as unknown.
        const msg = `schema id ${schemaId} cannot be read as the contract of '${topic}': ${errorText(err)}`;
        throw new DecodeError('unknown-schema', msg, schemaId, { cause: err });
      }
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}
