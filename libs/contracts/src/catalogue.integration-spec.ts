// Every schema of the catalogue registers under its subject with a Confluent-compatible registry (the embedded
// one), and a sample payload of every event survives the Confluent wire format through the registry client.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '@flywheel/embedded-schema-registry';
import { sampleEvents } from './testing';
import { allTopics, catalogue, type Topic } from './topics';

describe('catalogue against a schema registry', () => {
  let server: EmbeddedSchemaRegistry;
  let registry: SchemaRegistry;

  beforeAll(async () => {
    server = await startEmbeddedSchemaRegistry();
    registry = new SchemaRegistry({ host: server.url });
  });

  afterAll(async () => {
    await server.stop();
  });

  async function roundTrip<T extends Topic>(topic: T): Promise<void> {
    const contract = catalogue[topic];
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(contract.schema) },
      { subject: contract.subject },
    );
    expect(await registry.getLatestSchemaId(contract.subject)).toBe(id);
    const payload = sampleEvents[topic];
    const encoded = await registry.encode(id, payload);
    expect(encoded.readUInt8(0)).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual(payload);
    // Registering the same schema again is idempotent (same id), as every service does at start-up.
    const again = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(contract.schema) },
      { subject: contract.subject },
    );
    expect(again.id).toBe(id);
  }

  it.each(allTopics)('%s registers and round-trips', async (topic) => {
    await roundTrip(topic);
  });
});
