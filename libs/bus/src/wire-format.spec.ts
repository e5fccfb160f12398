import { type Schema } from 'avsc';
import { DecodeError } from './errors';
import { EventCodec } from './event-codec';
import { LocalSchemaSource } from './memory/local-schema-source';
import { TestTopics, newOrderPlaced, testCatalogue } from './testing/test-catalogue';
import { decodeWire, encodeWire } from './wire-format';

async function decodeError(p: Promise<unknown>): Promise<DecodeError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DecodeError)) throw new Error(`expected a DecodeError, got ${String(err)}`);
  return err;
}

describe('wire format', () => {
  it('should frame a body as magic byte 0, big-endian schema id, body', () => {
    const sut = encodeWire(258, Buffer.from([7, 8]));
    expect([...sut]).toEqual([0, 0, 0, 1, 2, 7, 8]);
    expect(decodeWire(sut)).toEqual({ schemaId: 258, body: Buffer.from([7, 8]) });
  });

  it.each([
    ['a wrong magic byte', Buffer.from([1, 0, 0, 0, 1, 2])],
    ['too few bytes', Buffer.from([0, 0, 1])],
    ['a null value (tombstone)', null],
  ])('should reject %s as DecodeError(magic)', (_name, value) => {
    expect(() => decodeWire(value)).toThrow(DecodeError);
    try {
      decodeWire(value);
    } catch (err) {
      expect((err as DecodeError).kind).toBe('magic');
    }
  });
});

describe('EventCodec', () => {
  const schemas = new LocalSchemaSource();
  const sut = new EventCodec(testCatalogue, schemas);

  it('should round-trip a payload', async () => {
    const payload = newOrderPlaced({ note: 'gift' });
    const { value, schemaId } = await sut.encode(TestTopics.OrderPlaced, payload);
    expect(value[0]).toBe(0);
    await expect(sut.decode(TestTopics.OrderPlaced, value)).resolves.toEqual({ payload, schemaId });
  });

  it('should refuse to encode a payload that does not fit the schema', async () => {
    await expect(sut.encode(TestTopics.OrderPlaced, { orderId: 5 })).rejects.toThrow(/does not match schema/);
  });

  it('should report an unknown schema id as DecodeError(unknown-schema)', async () => {
    const err = await decodeError(sut.decode(TestTopics.OrderPlaced, encodeWire(999, Buffer.from([2, 65]))));
    expect(err.kind).toBe('unknown-schema');
    expect(err.schemaId).toBe(999);
  });

  it('should report a schema the contract cannot read as DecodeError(unknown-schema)', async () => {
    const id = schemas.register({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] });
    const err = await decodeError(sut.decode(TestTopics.OrderPlaced, encodeWire(id, Buffer.from([2]))));
    expect(err.kind).toBe('unknown-schema');
  });

  it('should report truncated and trailing bytes as DecodeError(corrupt)', async () => {
    const { value } = await sut.encode(TestTopics.OrderPlaced, newOrderPlaced());
    const truncated = await decodeError(sut.decode(TestTopics.OrderPlaced, value.subarray(0, value.length - 3)));
    expect(truncated.kind).toBe('corrupt');
    const trailing = await decodeError(sut.decode(TestTopics.OrderPlaced, Buffer.concat([value, Buffer.from([1])])));
    expect(trailing.kind).toBe('corrupt');
  });

  it('should read an event written with an older compatible schema', async () => {
    const v0: Schema = {
      type: 'record',
      name: 'OrderPlaced',
      namespace: 'flywheel.test.v1',
      fields: [
        { name: 'eventId', type: 'string' },
        { name: 'orderId', type: 'string' },
        { name: 'amountCents', type: 'long' },
      ],
    };
    const writerId = schemas.register(v0);
    const body = (await import('avsc')).Type.forSchema(v0).toBuffer({ eventId: 'e', orderId: 'o', amountCents: 5 });
    const { payload } = await sut.decode(TestTopics.OrderPlaced, encodeWire(writerId, body));
    expect(payload).toEqual({ eventId: 'e', orderId: 'o', amountCents: 5, note: null });
  });
});
