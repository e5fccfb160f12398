// Kafka wire primitives (big-endian), classic (non-flexible) encodings only: every API version this
// broker implements is below its key's flexible threshold, so there are no tagged fields or compact types.

export class ProtocolDecodeError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ProtocolDecodeError';
  }
}

export class Reader {
  private pos: number;

  public constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    this.pos = offset;
  }

  public get offset(): number {
    return this.pos;
  }

  public get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new ProtocolDecodeError(`truncated ${what}: need ${n} bytes at ${this.pos}, have ${this.remaining}`);
    }
  }

  public int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  public bool(): boolean {
    return this.int8() !== 0;
  }

  public int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  public int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  public uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  public int64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** int64 as a JS number; offsets and timestamps stay far below 2^53. */
  public int64n(): number {
    return Number(this.int64());
  }

  public nullableString(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    if (len < -1) throw new ProtocolDecodeError(`invalid string length ${len}`);
    this.need(len, 'string');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  public string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolDecodeError('unexpected null string');
    return s;
  }

  public nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < -1) throw new ProtocolDecodeError(`invalid bytes length ${len}`);
    this.need(len, 'bytes');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  public bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  /** A classic array; null (-1) reads as null so callers can tell "all" from "none". */
  public nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < -1) throw new ProtocolDecodeError(`invalid array length ${n}`);
    // Each element takes at least one byte: reject counts that cannot fit before allocating.
    if (n > this.remaining)
      throw new ProtocolDecodeError(`array length ${n} exceeds remaining ${this.remaining} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  public array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }

  public varint(): number {
    const v = this.uvarint();
    return (v >>> 1) ^ -(v & 1);
  }

  public uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos];
      if (b === undefined) throw new ProtocolDecodeError('truncated varint');
      this.pos++;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 28) throw new ProtocolDecodeError('varint too long');
    }
  }

  public varlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos];
      if (b === undefined) throw new ProtocolDecodeError('truncated varlong');
      this.pos++;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new ProtocolDecodeError('varlong too long');
    }
    return (result >> 1n) ^ -(result & 1n);
  }

  public raw(n: number): Buffer {
    this.need(n, 'raw bytes');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

export class Writer {
  private buf: Buffer;
  private pos = 0;

  public constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  public get length(): number {
    return this.pos;
  }

  public int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos++);
    return this;
  }

  public bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  public int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  public int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  public uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  public int64(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  public nullableString(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s);
    this.int16(len);
    this.ensure(len);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += len;
    return this;
  }

  public string(s: string): this {
    return this.nullableString(s);
  }

  public nullableBytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }

  public bytes(b: Buffer): this {
    return this.nullableBytes(b);
  }

  public array<T>(items: readonly T[], item: (w: Writer, v: T) => void): this {
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  public nullableArray<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.int32(-1);
    return this.array(items, item);
  }

  public uvarint(v: number): this {
    let n = v >>> 0;
    this.ensure(5);
    while (n > 0x7f) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
    return this;
  }

  public varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  public varlong(v: bigint): this {
    let n = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.ensure(10);
    while (n > 0x7fn) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
    return this;
  }

  public raw(b: Buffer): this {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Reserve an int32 to fill in later (sizes). Returns its position. */
  public reserveInt32(): number {
    const at = this.pos;
    this.int32(0);
    return at;
  }

  public patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  public toBuffer(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
