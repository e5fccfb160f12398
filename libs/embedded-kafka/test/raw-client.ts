// A minimal raw Kafka-protocol client for tests that need to send exact bytes: framing, pipelining and
// malformed input that no real client would produce.
import { connect, type Socket } from 'node:net';
import { Reader, Writer } from '../src/protocol/codec';

export function frame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const w = new Writer();
  const size = w.reserveInt32();
  w.int16(apiKey).int16(apiVersion).int32(correlationId).nullableString('raw-test').raw(body);
  w.patchInt32(size, w.length - 4);
  return Buffer.from(w.toBuffer());
}

export class RawClient {
  private buf = Buffer.alloc(0);
  private readonly responses: { correlationId: number; body: Buffer }[] = [];
  private waiters: (() => void)[] = [];
  public closed = false;

  private constructor(public readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const size = this.buf.readInt32BE(0);
        this.responses.push({ correlationId: this.buf.readInt32BE(4), body: this.buf.subarray(8, 4 + size) });
        this.buf = this.buf.subarray(4 + size);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  public static async connect(bootstrap: string): Promise<RawClient> {
    const [host, port] = bootstrap.split(':');
    const socket = connect(Number(port), host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  public write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits for n responses in total (or the socket closing). */
  public async responsesAfter(n: number, timeoutMs = 3000): Promise<{ correlationId: number; body: Buffer }[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses.length < n && !this.closed) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} responses, have ${this.responses.length}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.responses.slice(0, n);
  }

  public async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  public close(): void {
    this.socket.destroy();
  }
}

export function reader(body: Buffer): Reader {
  return new Reader(body);
}

export interface RawProduceResult {
  topic: string;
  partition: number;
  errorCode: number;
  baseOffset: number;
  logStartOffset: number;
}

/** Sends one Produce v7 (acks=-1) carrying `records` for `topic`-`partition` and decodes the answer. */
export async function rawProduce(
  bootstrap: string,
  topic: string,
  records: Buffer,
  partition = 0,
): Promise<RawProduceResult> {
  const body = new Writer()
    .nullableString(null)
    .int16(-1)
    .int32(5000)
    .array([topic], (w, name) => w.string(name).array([records], (w, b) => w.int32(partition).bytes(b)))
    .toBuffer();
  const client = await RawClient.connect(bootstrap);
  try {
    client.write(frame(0, 7, 7001, body));
    const [res] = await client.responsesAfter(1);
    if (!res) throw new Error('connection closed before the Produce response');
    const r = reader(res.body);
    const [t] = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({
        partition: r.int32(),
        errorCode: r.int16(),
        baseOffset: r.int64n(),
        logAppendTime: r.int64n(),
        logStartOffset: r.int64n(),
      })),
    }));
    const p = t?.partitions[0];
    if (!t || !p) throw new Error('Produce response without a partition');
    return {
      topic: t.name,
      partition: p.partition,
      errorCode: p.errorCode,
      baseOffset: p.baseOffset,
      logStartOffset: p.logStartOffset,
    };
  } finally {
    client.close();
  }
}

/** A stored batch as its producer sent it: baseOffset back to 0 (outside the CRC). */
export function asSent(stored: Buffer): Buffer {
  const copy = Buffer.from(stored);
  copy.writeBigInt64BE(0n, 0);
  return copy;
}
