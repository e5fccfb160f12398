// Starting a service: a Nest application on the express adapter, listening on the configured address, with the
// shutdown wiring of lifecycle/shutdown.ts. `runMain` is what a service's main.ts calls: a boot failure (a bad
// configuration above all) is printed in full and exits non-zero.
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  Logger,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type LogLevel,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { createJsonLogger, JsonNestLogger } from '@flywheel/telemetry';
import { type DestinationStream } from 'pino';
import { type LogFormat } from './config/common-env';
import { ConfigError } from './config/config-error';
import { installShutdownHandlers } from './lifecycle/shutdown';

export interface HttpServiceOptions {
  readonly name: string;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Nest's JSON and urlencoded body parsers; turn off when the service reads request bodies itself. */
  readonly bodyParser?: boolean;
  readonly logLevels?: LogLevel[];
  /** `json`: one JSON object a line (pino, with trace and run ids, secrets masked) instead of Nest's text lines. */
  readonly logFormat?: LogFormat;
  /** Where JSON lines go (tests); default stdout. */
  readonly logDestination?: DestinationStream;
  /** Install SIGTERM/SIGINT handlers that close the app within `shutdownTimeoutMs` and exit (main.ts only). */
  readonly handleSignals?: boolean;
  readonly shutdownTimeoutMs?: number;
  /** Printed at boot, e.g. the redacted `describe()` of the service's env config. */
  readonly configSummary?: readonly string[];
  /** Runs once the app is closed, before the process may exit: e.g. flush batched trace spans. */
  readonly afterClose?: () => Promise<void>;
}

export interface HttpService {
  readonly app: INestApplication;
  /** e.g. http://127.0.0.1:8090 */
  readonly url: string;
  close(): Promise<void>;
}

export const DEFAULT_LOG_LEVELS: LogLevel[] = ['log', 'warn', 'error', 'fatal'];

export async function startHttpService(
  module: Type<unknown> | DynamicModule,
  options: HttpServiceOptions,
): Promise<HttpService> {
  // The levels (and the JSON logger) apply to loggers used before the app exists (the config summary) as well.
  const levels = options.logLevels ?? DEFAULT_LOG_LEVELS;
  const nestLogger: LoggerService | LogLevel[] =
    options.logFormat === 'json'
      ? new JsonNestLogger(createJsonLogger({ service: options.name, destination: options.logDestination }), levels)
      : levels;
  Logger.overrideLogger(nestLogger);
  const logger = new Logger(options.name);
  if (options.configSummary && options.configSummary.length > 0) {
    logger.log(`configuration:\n  ${options.configSummary.join('\n  ')}`);
  }
  const app = await NestFactory.create(module, new ExpressAdapter(), {
    logger: nestLogger,
    bodyParser: options.bodyParser ?? true,
    // Throw boot errors to the caller instead of exiting from inside Nest.
    abortOnError: false,
  });
  try {
    await app.listen(options.port, options.host);
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.log(`listening on ${url}`);
  let closed: Promise<void> | undefined;
  const service: HttpService = {
    app,
    url,
    close: () =>
      (closed ??= app.close().then(async () => {
        // Best effort: a collector that is down must not turn a clean shutdown into a failure.
        await options.afterClose?.().catch((err: unknown) => logger.warn(`after close: ${String(err)}`));
      })),
  };
  if (options.handleSignals) {
    installShutdownHandlers(service, {
      timeoutMs: options.shutdownTimeoutMs ?? 30_000,
      log: (line) => logger.log(line),
    });
  }
  return service;
}

/** Runs a service's main: a failure to boot is printed (every config problem listed) and exits with code 1. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    const text =
      err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`${name}: failed to start: ${text}\n`);
    process.exit(1);
  });
}
