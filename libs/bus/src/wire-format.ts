// The Confluent wire format: magic byte 0, the schema id as a big-endian int32, then the Avro body.
// WARNING: this layout is a wire contract shared with every Confluent-compatible producer and consumer.
import { DecodeError } from './errors';

export const MAGIC_BYTE = 0;
export const WIRE_HEADER_BYTES = 5;

export interface WireFrame {
  readonly schemaId: number;
  readonly body: Buffer;
}

export function encodeWire(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(WIRE_HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** Splits a record value into schema id and body; throws DecodeError('magic') when it is not in the format. */
export function decodeWire(value: Buffer | null): WireFrame {
  if (value === null || value.length < WIRE_HEADER_BYTES) {
    const len = value === null ? 'a null value' : `${value.length} bytes`;
    throw new DecodeError('magic', `not in the Confluent wire format: ${len}, need at least ${WIRE_HEADER_BYTES}`);
  }
  const magic = value.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new DecodeError('magic', `not in the Confluent wire format: magic byte ${magic}, expected ${MAGIC_BYTE}`);
  }
  return { schemaId: value.readInt32BE(1), body: value.subarray(WIRE_HEADER_BYTES) };
}
