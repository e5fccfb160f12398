// Drives the embedded registry only through the real client (@kafkajs/confluent-schema-registry) and raw fetch.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { CONTENT_TYPE, startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from './index';

const userV1 = {
  type: 'record' as const,
  name: 'User',
  namespace: 'com.flywheel.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
  ],
};
const userV2 = { ...userV1, fields: [...userV1.fields, { name: 'email', type: 'string', default: 'unknown' }] };
const SUBJECT = 'com.flywheel.test.User';

const avro = (schema: object): { type: SchemaType.AVRO; schema: string } => ({
  type: SchemaType.AVRO,
  schema: JSON.stringify(schema),
});

describe('embedded schema registry via @kafkajs/confluent-schema-registry', () => {
  let dataDir: string;
  let server: EmbeddedSchemaRegistry;
  let client: SchemaRegistry;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-registry-it-'));
    server = await startEmbeddedSchemaRegistry({ port: 0, dataDir, log: (msg) => logs.push(msg) });
    client = new SchemaRegistry({ host: server.url });
  });

  afterAll(async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and a random port by default', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect(logs[0]).toMatch(/schema registry listening on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('round-trips a record through encode/decode in the Confluent wire format', async () => {
    const { id } = await client.register(avro(userV1));
    expect(await client.getLatestSchemaId(SUBJECT)).toBe(id);
    expect(await client.getRegistryId(SUBJECT, 1)).toBe(id);

    const payload = { id: 7, name: 'Ada' };
    const buffer = await client.encode(id, payload);
    expect(buffer[0]).toBe(0);
    expect(buffer.readInt32BE(1)).toBe(id);

    // A fresh client has no cache, so decode really fetches the schema by id.
    const fresh = new SchemaRegistry({ host: server.url });
    expect(await fresh.decode(buffer)).toEqual(payload);

    // Registering the same schema again is idempotent.
    expect((await client.register(avro(userV1))).id).toBe(id);
  });

  it('registers a BACKWARD-compatible evolution as a new version that reads old data', async () => {
    const v1 = await client.register(avro(userV1));
    const old = await client.encode(v1.id, { id: 1, name: 'Grace' });

    const v2 = await client.register(avro(userV2));
    expect(v2.id).not.toBe(v1.id);
    expect(await client.getLatestSchemaId(SUBJECT)).toBe(v2.id);
    expect(await client.getRegistryId(SUBJECT, 2)).toBe(v2.id);

    const decoded: unknown = await client.decode(old, { [SchemaType.AVRO]: { readerSchema: userV2 } });
    expect(decoded).toEqual({ id: 1, name: 'Grace', email: 'unknown' });
  });

  it('rejects incompatible evolutions with the registry 409', async () => {
    const withoutDefault = { ...userV1, fields: [...userV2.fields.slice(0, 2), { name: 'phone', type: 'string' }] };
    await expect(client.register(avro(withoutDefault))).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(
        /Schema being registered is incompatible with an earlier schema for subject "com\.flywheel\.test\.User"/,
      ) as unknown,
    });

    const changedType = { ...userV1, fields: [{ name: 'id', type: 'string' }, userV1.fields[1]] };
    await expect(client.register(avro(changedType))).rejects.toThrow(/cannot read "long" as "string"/);
  });

  it('reuses the global id for the same schema under another subject', async () => {
    const { id } = await client.register(avro(userV1));
    const other = await client.register(avro(userV1), { subject: 'users-copy' });
    expect(other.id).toBe(id);
  });

  it('keeps ids across a restart with the same dataDir', async () => {
    const before = await client.getLatestSchemaId(SUBJECT);
    const encoded = await client.encode(before, { id: 3, name: 'Linus', email: 'l@example.com' });
    await server.stop();

    server = await startEmbeddedSchemaRegistry({ dataDir });
    client = new SchemaRegistry({ host: server.url });
    expect(await client.getLatestSchemaId(SUBJECT)).toBe(before);
    expect(await client.getRegistryId(SUBJECT, 1)).not.toBe(before);
    expect(await client.decode(encoded)).toEqual({ id: 3, name: 'Linus', email: 'l@example.com' });
    expect((await client.register(avro(userV2))).id).toBe(before);

    const fresh = await client.register(avro({ type: 'record', name: 'Fresh', namespace: 'x', fields: [] }));
    expect(fresh.id).toBeGreaterThan(before);
  });

  describe('raw HTTP error shapes', () => {
    const request = async (
      method: string,
      route: string,
      body?: string,
    ): Promise<{ status: number; type: string | null; json: unknown }> => {
      const res = await fetch(server.url + route, {
        method,
        headers: { 'Content-Type': CONTENT_TYPE },
        ...(body === undefined ? {} : { body }),
      });
      return { status: res.status, type: res.headers.get('content-type'), json: await res.json() };
    };

    it('answers 40403 for an unknown schema id', async () => {
      expect(await request('GET', '/schemas/ids/99999')).toEqual({
        status: 404,
        type: CONTENT_TYPE,
        json: { error_code: 40403, message: 'Schema 99999 not found' },
      });
    });

    it('answers 42201 for invalid Avro and for other schema types', async () => {
      const invalid = await request('POST', '/subjects/bad/versions', JSON.stringify({ schema: '{"type":"nope"}' }));
      expect(invalid).toMatchObject({ status: 422, json: { error_code: 42201 } });
      expect(invalid.json).toMatchObject({ message: expect.stringMatching(/unknown type: "nope"/) as unknown });
      const proto = await request(
        'POST',
        '/subjects/bad/versions',
        JSON.stringify({ schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' }),
      );
      expect(proto).toMatchObject({ status: 422, json: { error_code: 42201 } });
    });

    it('answers 400 for malformed JSON and 404 for unknown routes', async () => {
      expect(await request('POST', '/subjects/bad/versions', '{"schema": ')).toMatchObject({
        status: 400,
        json: { error_code: 400, message: expect.stringMatching(/not valid JSON/) as unknown },
      });
      expect(await request('GET', '/no/such/route')).toMatchObject({ status: 404, json: { error_code: 404 } });
    });

    it('answers 413 for a body over 1 MiB and keeps serving', async () => {
      const huge = JSON.stringify({ schema: JSON.stringify({ type: 'string', doc: 'x'.repeat(1024 * 1024) }) });
      expect(await request('POST', '/subjects/huge/versions', huge)).toMatchObject({
        status: 413,
        json: { error_code: 413 },
      });
      expect(await request('GET', '/subjects')).toMatchObject({ status: 200 });
    });
  });
});

describe('startEmbeddedSchemaRegistry with a corrupt state file', () => {
  it('fails to start, naming the file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-registry-corrupt-'));
    try {
      fs.writeFileSync(path.join(dataDir, 'schema-registry.json'), 'not json');
      await expect(startEmbeddedSchemaRegistry({ dataDir })).rejects.toThrow(
        path.join(dataDir, 'schema-registry.json'),
      );
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
