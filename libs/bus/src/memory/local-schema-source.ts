// Schema ids without a registry, for the in-memory twin: one id per subject, handed out in order of first use.
import { Type, type Schema } from 'avsc';
import { type ErasedContract } from '../catalogue';
import { DecodeError } from '../errors';
import { type SchemaSource } from '../event-codec';

export class LocalSchemaSource implements SchemaSource {
  private readonly bySubject = new Map<string, number>();
  private readonly types = new Map<number, Type>();

  public idFor(contract: ErasedContract): Promise<number> {
    let id = this.bySubject.get(contract.subject);
    if (id === undefined) {
      id = this.register(contract.schema as unknown as Schema);
      this.bySubject.set(contract.subject, id);
    }
    return Promise.resolve(id);
  }

  public typeFor(schemaId: number): Promise<Type> {
    const type = this.types.get(schemaId);
    if (type === undefined) {
      return Promise.reject(new DecodeError('unknown-schema', `schema id ${schemaId} is not registered`, schemaId));
    }
    return Promise.resolve(type);
  }

  /** Adds a writer schema (e.g. an older version of a contract) and returns its id. */
  public register(schema: Schema): number {
    const id = this.types.size + 1;
    this.types.set(id, Type.forSchema(schema));
    return id;
  }
}
