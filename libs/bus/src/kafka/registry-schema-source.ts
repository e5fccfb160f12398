// Schema ids from a Confluent-compatible schema registry: contracts registered under their subject (once, then
// cached), writer schemas fetched by id (cached by the client).
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Type } from 'avsc';
import { type ErasedContract } from '../catalogue';
import { DecodeError, SchemaRegistrationError, errorText } from '../errors';
import { type SchemaSource } from '../event-codec';

export class RegistrySchemaSource implements SchemaSource {
  private readonly ids = new Map<string, Promise<number>>();

  public constructor(private readonly registry: SchemaRegistry) {}

  public static connect(url: string, clientId: string): RegistrySchemaSource {
    return new RegistrySchemaSource(new SchemaRegistry({ host: url, clientId }));
  }

  public idFor(contract: ErasedContract): Promise<number> {
    let id = this.ids.get(contract.subject);
    if (id === undefined) {
      id = this.register(contract);
      this.ids.set(contract.subject, id);
      // A failed registration is retried on next use rather than cached.
      id.catch(() => this.ids.delete(contract.subject));
    }
    return id;
  }

  public async typeFor(schemaId: number): Promise<Type> {
    let schema;
    try {
      schema = await this.registry.getSchema(schemaId);
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new DecodeError('unknown-schema', `schema id ${schemaId} is not in the registry`, schemaId, {
          cause: err,
        });
      }
      throw err;
    }
    if (!(schema instanceof Type)) {
      throw new DecodeError('unknown-schema', `schema id ${schemaId} is not an Avro schema`, schemaId);
    }
    return schema;
  }

  private async register(contract: ErasedContract): Promise<number> {
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(contract.schema) },
        { subject: contract.subject },
      );
      return id;
    } catch (err) {
      throw new SchemaRegistrationError(contract.subject, { cause: new Error(errorText(err)) });
    }
  }
}

function statusOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
}
