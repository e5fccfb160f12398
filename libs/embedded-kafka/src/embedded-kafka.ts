// Starts an embedded Kafka cluster: N brokers (TCP listeners speaking the Kafka protocol) in this process,
// sharing one state. Unmodified kafkajs and librdkafka clients connect to `bootstrapServers`.
import { createServer, type Server, type Socket } from 'node:net';
import { apiHandlers } from './apis/registry';
import { Cluster, type BrokerNode } from './cluster/cluster';
import { type EmbeddedKafkaOptions, resolveOptions } from './config';
import { BrokerConnection, type RequestTrace } from './net/connection';
import { FileStorage } from './storage/file-storage';
import { MemoryStorage } from './storage/memory-storage';
import type { Storage } from './storage/storage';

const TRACE_LIMIT = 10_000;

export type RequestInterceptor = (t: RequestTrace) => Promise<'continue' | 'drop'> | 'continue' | 'drop';

export interface EmbeddedKafka {
  /** host:port of every broker, e.g. ['127.0.0.1:40123']. */
  readonly bootstrapServers: string[];
  readonly brokers: readonly BrokerNode[];
  /** The broker state, for assertions and chaos in tests. */
  readonly cluster: Cluster;
  /** The most recent requests (bounded), oldest first. */
  readonly requests: readonly RequestTrace[];
  createTopic(name: string, partitions?: number): void;
  /** Intercepts every request before it is handled (observe, delay or drop); returns a remover. */
  intercept(fn: RequestInterceptor): () => void;
  /** Closes every client connection (a broker bounce as clients see it). */
  dropConnections(): void;
  stop(): Promise<void>;
}

export async function startEmbeddedKafka(options: EmbeddedKafkaOptions = {}): Promise<EmbeddedKafka> {
  const opts = resolveOptions(options);
  const storage: Storage = opts.dataDir
    ? new FileStorage(opts.dataDir, { fsync: opts.fsync, log: opts.log })
    : new MemoryStorage();
  const nodeIds = Array.from({ length: opts.brokers }, (_, i) => i);
  const cluster = new Cluster(opts, storage, nodeIds);
  const connections = new Set<BrokerConnection>();
  const trace: RequestTrace[] = [];
  const interceptors = new Set<RequestInterceptor>();

  const intercept = async (t: RequestTrace): Promise<'continue' | 'drop'> => {
    for (const fn of interceptors) if ((await fn(t)) === 'drop') return 'drop';
    return 'continue';
  };

  const servers: Server[] = [];
  try {
    for (const nodeId of nodeIds) {
      const node: BrokerNode = { nodeId, host: opts.host, port: 0 };
      const server = createServer((socket: Socket) => {
        const conn = new BrokerConnection(socket, {
          cluster,
          node,
          handlers: apiHandlers,
          maxRequestBytes: opts.maxRequestBytes,
          log: opts.log,
          trace: (t) => {
            trace.push(t);
            if (trace.length > TRACE_LIMIT) trace.splice(0, trace.length - TRACE_LIMIT);
          },
          intercept: (t) => (interceptors.size === 0 ? 'continue' : intercept(t)),
        });
        connections.add(conn);
        conn.onClose(() => connections.delete(conn));
      });
      servers.push(server);
      node.port = await listen(server, opts.host, opts.port === 0 ? 0 : opts.port + nodeId);
      cluster.nodes.push(node);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => closeServer(s)));
    cluster.close();
    throw err;
  }
  opts.log(
    `embedded Kafka up: ${cluster.nodes.map((n) => `node ${n.nodeId} at ${n.host}:${n.port}`).join(', ')}` +
      (opts.dataDir ? `, data in ${opts.dataDir}` : ', in memory'),
  );

  let stopped = false;
  return {
    bootstrapServers: cluster.nodes.map((n) => `${n.host}:${n.port}`),
    brokers: cluster.nodes,
    cluster,
    requests: trace,
    createTopic: (name, partitions = opts.defaultPartitions) => void cluster.topics.create(name, partitions),
    intercept: (fn) => {
      interceptors.add(fn);
      return () => interceptors.delete(fn);
    },
    dropConnections: () => {
      for (const c of [...connections]) c.close('dropConnections');
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const closing = servers.map((s) => closeServer(s));
      for (const c of [...connections]) c.close();
      await Promise.all(closing);
      cluster.close();
      opts.log('embedded Kafka stopped');
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      if (addr === null || typeof addr === 'string') reject(new Error('listener has no TCP address'));
      else resolve(addr.port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
