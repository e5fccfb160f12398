// One client connection: frames requests (several per chunk or one split over many), answers them
// strictly in order (Kafka's per-connection contract), and isolates failures: a malformed, oversized or
// unsupported request closes this connection with a log line and never disturbs the rest of the broker.
import type { Socket } from 'node:net';
import type { ApiHandler, ConnectionScope, RequestContext } from '../apis/api';
import type { BrokerNode, Cluster } from '../cluster/cluster';
import { apiName } from '../protocol/api-keys';
import { Reader, type Writer } from '../protocol/codec';

export interface RequestTrace {
  ts: number;
  nodeId: number;
  connectionId: number;
  clientId: string | null;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

export interface ConnectionDeps {
  cluster: Cluster;
  node: BrokerNode;
  handlers: ReadonlyMap<number, ApiHandler>;
  maxRequestBytes: number;
  log: (line: string) => void;
  trace: (t: RequestTrace) => void;
  /** Optional interception before a request is handled (fault injection in tests). */
  intercept?: (t: RequestTrace) => Promise<'continue' | 'drop'> | 'continue' | 'drop';
}

const HEADER_MIN = 10; // api_key + api_version + correlation_id + client_id length

let nextConnectionId = 1;

export class BrokerConnection implements ConnectionScope {
  public readonly id = nextConnectionId++;
  public readonly remote: string;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly pending: Buffer[] = [];
  private busy = false;
  private isClosed = false;
  private readonly closeListeners = new Set<() => void>();

  public constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.deps.log(`connection ${this.id} (${this.remote}) error: ${err.message}`));
    socket.on('close', () => this.onSocketClosed());
  }

  public get closed(): boolean {
    return this.isClosed;
  }

  public onClose(fn: () => void): () => void {
    if (this.isClosed) {
      fn();
      return () => undefined;
    }
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  public close(reason?: string): void {
    if (reason)
      this.deps.log(`closing connection ${this.id} (${this.remote}) on node ${this.deps.node.nodeId}: ${reason}`);
    this.socket.destroy();
    this.onSocketClosed();
  }

  private onSocketClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pending.length = 0;
    this.chunks = [];
    for (const fn of [...this.closeListeners]) fn();
    this.closeListeners.clear();
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.chunks[0] as Buffer;
      const size = head.length >= 4 ? head.readInt32BE(0) : Buffer.concat(this.chunks).readInt32BE(0);
      if (size < HEADER_MIN || size > this.deps.maxRequestBytes) {
        this.close(`request frame of ${size} bytes is outside [${HEADER_MIN}, ${this.deps.maxRequestBytes}]`);
        return;
      }
      if (this.buffered < 4 + size) break;
      const all = this.chunks.length === 1 ? head : Buffer.concat(this.chunks, this.buffered);
      this.pending.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    this.pump();
  }

  /** Handles queued frames one at a time; synchronous handlers never leave this loop. */
  private pump(): void {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.pending.length > 0 && !this.isClosed) {
        const frame = this.pending.shift() as Buffer;
        const outcome = this.handle(frame);
        if (outcome instanceof Promise) {
          outcome.then(
            () => {
              this.busy = false;
              this.pump();
            },
            (err: unknown) => {
              this.busy = false;
              this.close(`internal error: ${errorText(err)}`);
            },
          );
          return;
        }
      }
      this.busy = false;
    } catch (err) {
      this.busy = false;
      this.close(`internal error: ${errorText(err)}`);
    }
  }

  private handle(frame: Buffer): Promise<void> | void {
    const r = new Reader(frame);
    let apiKey: number;
    let apiVersion: number;
    let correlationId: number;
    let clientId: string | null;
    try {
      apiKey = r.int16();
      apiVersion = r.int16();
      correlationId = r.int32();
      clientId = r.nullableString();
    } catch (err) {
      this.close(`malformed request header: ${errorText(err)}`);
      return;
    }
    const handler = this.deps.handlers.get(apiKey);
    if (!handler) {
      this.close(`unsupported API key ${apiKey} from client ${String(clientId)}`);
      return;
    }
    // ApiVersions answers any version itself (with UNSUPPORTED_VERSION above its range).
    if (handler.name !== 'ApiVersions' && (apiVersion < handler.minVersion || apiVersion > handler.maxVersion)) {
      this.close(
        `${handler.name} v${apiVersion} from client ${String(clientId)} is not implemented ` +
          `(supported v${handler.minVersion}-v${handler.maxVersion})`,
      );
      return;
    }
    const trace: RequestTrace = {
      ts: Date.now(),
      nodeId: this.deps.node.nodeId,
      connectionId: this.id,
      clientId,
      apiKey,
      apiVersion,
      correlationId,
    };
    this.deps.trace(trace);
    const ctx: RequestContext = {
      cluster: this.deps.cluster,
      node: this.deps.node,
      apiVersion,
      clientId,
      connection: this,
    };
    const run = (): Promise<void> | void => {
      const res = handler.handle(ctx, r);
      if (res instanceof Promise) return res.then((w) => this.respond(correlationId, w));
      this.respond(correlationId, res);
    };
    const wrap = (fn: () => Promise<void> | void): Promise<void> | void => {
      try {
        const out = fn();
        if (out instanceof Promise) return out.catch((err: unknown) => this.failRequest(handler, apiVersion, err));
      } catch (err) {
        this.failRequest(handler, apiVersion, err);
      }
    };
    const decision = this.deps.intercept?.(trace);
    if (decision === undefined || decision === 'continue') return wrap(run);
    if (decision === 'drop') {
      this.close(`dropped by test control at ${apiName(apiKey)}`);
      return;
    }
    return decision.then((d) =>
      d === 'drop' ? this.close(`dropped by test control at ${apiName(apiKey)}`) : wrap(run),
    );
  }

  private failRequest(handler: ApiHandler, version: number, err: unknown): void {
    this.close(`cannot process ${handler.name} v${version}: ${errorText(err)}`);
  }

  private respond(correlationId: number, body: Writer | null): void {
    if (body === null || this.isClosed) return;
    const payload = body.toBuffer();
    const header = Buffer.allocUnsafe(8);
    header.writeInt32BE(payload.length + 4, 0);
    header.writeInt32BE(correlationId, 4);
    this.socket.cork();
    this.socket.write(header);
    this.socket.write(payload);
    this.socket.uncork();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
