// What commands get from the process: output streams and clocks, the environment (read only through config.ts),
// and factories for outside connections, which tests replace.
import { type ConnectionOptions, type EnvSource } from './config';
import { type CliIo } from './io';
import { type BusLogSink } from './logs/bus-log-sink';

export interface CliContext {
  readonly io: CliIo;
  readonly env: EnvSource;
  readonly openLogSink: (connection: ConnectionOptions) => Promise<BusLogSink>;
}
