// What commands get from the process: output streams and clocks, the environment (read only through config.ts),
// and factories for outside connections, which tests replace.
import { type FlywheelStack, type FlywheelStackOptions } from '@flywheel/dev-stack';
import { type ConnectionOptions, type EnvSource } from './config';
import { type CliIo } from './io';
import { type BusLogSink } from './logs/bus-log-sink';

export interface CliContext {
  readonly io: CliIo;
  readonly env: EnvSource;
  readonly openLogSink: (connection: ConnectionOptions) => Promise<BusLogSink>;
  /** Waits between polls (`--watch`); default a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Starts the embedded flywheel (`up`, `demo`); default @flywheel/dev-stack's startFlywheelStack. */
  readonly startStack?: (options: FlywheelStackOptions) => Promise<FlywheelStack>;
  /** Registers a Ctrl-C handler; returns its removal. Default: never interrupted. */
  readonly onInterrupt?: (handler: () => void) => () => void;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
