// Options of the embedded broker. Defaults suit fast tests; the standalone dev stack overrides a few.

export interface EmbeddedKafkaOptions {
  /** Host the brokers listen on and advertise; use the exact string clients put in `brokers`. */
  host?: string;
  /** Port of the first broker; 0 picks free ports. With several brokers, port+i each when port > 0. */
  port?: number;
  /** Number of brokers in this process (partition leadership and group coordinators spread over them). */
  brokers?: number;
  /** With a data directory, topics, records, committed offsets and producer ids survive restarts. */
  dataDir?: string;
  /** 'always' fdatasyncs every append (survives power loss); 'never' leaves flushing to the OS (survives a kill). */
  fsync?: 'always' | 'never';
  /** Create unknown topics on Metadata/Produce when the client allows it. */
  autoCreateTopics?: boolean;
  defaultPartitions?: number;
  /** Topics to create at start: name → partition count. */
  seedTopics?: Record<string, number>;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  initialRebalanceDelayMs?: number;
  /** Largest request frame accepted; bigger frames close the connection (socket.request.max.bytes). */
  maxRequestBytes?: number;
  /** Largest record batch accepted in a Produce (message.max.bytes). */
  maxMessageBytes?: number;
  /** Check each produced batch's CRC-32C (Kafka does). */
  verifyCrc?: boolean;
  clusterId?: string;
  /** Where log lines go; defaults to nothing. */
  log?: (line: string) => void;
}

export type ResolvedKafkaOptions = Required<Omit<EmbeddedKafkaOptions, 'dataDir' | 'log'>> & {
  dataDir: string | undefined;
  log: (line: string) => void;
};

export class InvalidKafkaOptionsError extends Error {
  public constructor(problems: string[]) {
    super(`invalid embedded Kafka options: ${problems.join('; ')}`);
    this.name = 'InvalidKafkaOptionsError';
  }
}

export function resolveOptions(opts: EmbeddedKafkaOptions): ResolvedKafkaOptions {
  const r: ResolvedKafkaOptions = {
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    brokers: opts.brokers ?? 1,
    dataDir: opts.dataDir,
    fsync: opts.fsync ?? 'never',
    autoCreateTopics: opts.autoCreateTopics ?? true,
    defaultPartitions: opts.defaultPartitions ?? 1,
    seedTopics: opts.seedTopics ?? {},
    minSessionTimeoutMs: opts.minSessionTimeoutMs ?? 100,
    maxSessionTimeoutMs: opts.maxSessionTimeoutMs ?? 300_000,
    initialRebalanceDelayMs: opts.initialRebalanceDelayMs ?? 0,
    maxRequestBytes: opts.maxRequestBytes ?? 100 * 1024 * 1024,
    maxMessageBytes: opts.maxMessageBytes ?? 1024 * 1024 + 12,
    verifyCrc: opts.verifyCrc ?? true,
    clusterId: opts.clusterId ?? 'flywheel-embedded',
    log: opts.log ?? (() => undefined),
  };
  const problems: string[] = [];
  const int = (name: keyof ResolvedKafkaOptions, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const v = r[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    }
  };
  int('port', 0, 65535);
  int('brokers', 1, 64);
  int('defaultPartitions', 1, 100_000);
  int('minSessionTimeoutMs', 1);
  int('maxSessionTimeoutMs', 1);
  int('initialRebalanceDelayMs', 0);
  int('maxRequestBytes', 1024);
  int('maxMessageBytes', 64);
  if (r.minSessionTimeoutMs > r.maxSessionTimeoutMs) problems.push('minSessionTimeoutMs exceeds maxSessionTimeoutMs');
  if (r.fsync !== 'always' && r.fsync !== 'never') problems.push(`fsync must be 'always' or 'never'`);
  if (r.host.length === 0) problems.push('host must not be empty');
  for (const [name, n] of Object.entries(r.seedTopics)) {
    if (!Number.isInteger(n) || n < 1) problems.push(`seedTopics.${name} must be a positive partition count`);
  }
  if (problems.length > 0) throw new InvalidKafkaOptionsError(problems);
  return r;
}
