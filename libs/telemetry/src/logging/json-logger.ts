// Structured JSON logs (pino), one object a line, carrying the active trace (`trace_id`, `span_id`) and the run the
// code is working for (`run_id`, which @flywheel/bus puts in a handler's context), so a log line leads to its trace.
// They never carry an LLM call's body or a secret: body fields of logged objects are censored by name, and secrets
// in message text (bearer tokens, API keys, `password=…`) are masked before the line is written.
import { context, createContextKey, isSpanContextValid, trace } from '@opentelemetry/api';
import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';

/** The same key @flywheel/bus sets (`createContextKey` keys by `Symbol.for(name)`). */
const RUN_ID_KEY = createContextKey('flywheel.run_id');

export const REDACTED = '<redacted>';

/** Fields that hold prompt / completion text or credentials, wherever they appear (two levels deep). */
const SENSITIVE_FIELDS = [
  'messages',
  'prompt',
  'completion',
  'content',
  'choices',
  'request_body',
  'response_body',
  'authorization',
  'api_key',
  'apiKey',
  'password',
  'token',
  'secret',
];
const REDACT_PATHS = SENSITIVE_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [
    /\b(api[_-]?key|access[_-]?token|token|secret|password|passwd)(["']?\s*[:=]\s*["']?)[^\s"',&;]+/gi,
    `$1$2${REDACTED}`,
  ],
  [/\b(sk|nvapi|hf)[-_][A-Za-z0-9_-]{16,}/g, REDACTED],
];

/** Masks secrets in free text (a message may quote a URL or an error that carries one). */
export function maskSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export interface JsonLoggerOptions {
  readonly service: string;
  /** pino level name; default `info`. */
  readonly level?: string;
  /** Default stdout. */
  readonly destination?: DestinationStream;
}

export function createJsonLogger(options: JsonLoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskSecrets(a) : a)) as typeof args;
          method.apply(this, masked);
        },
      },
      mixin() {
        const active = context.active();
        const ids: Record<string, string> = {};
        const sc = trace.getSpanContext(active);
        if (sc !== undefined && isSpanContextValid(sc)) {
          ids.trace_id = sc.traceId;
          ids.span_id = sc.spanId;
        }
        const runId = active.getValue(RUN_ID_KEY);
        if (typeof runId === 'string') ids.run_id = runId;
        return ids;
      },
    },
    options.destination ?? pino.destination(1),
  );
}

const NEST_TO_PINO: Record<LogLevel, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Nest's LoggerService over pino, for `NestFactory.create(…, { logger })` / `Logger.overrideLogger`: Nest's context
 * (the class name) becomes `context`, an error's stack `stack`.
 */
export class JsonNestLogger implements LoggerService {
  private levels: ReadonlySet<LogLevel>;

  public constructor(
    private readonly logger: Logger,
    levels: readonly LogLevel[] = ['log', 'warn', 'error', 'fatal'],
  ) {
    this.levels = new Set(levels);
    this.logger.level = 'trace';
  }

  public setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
  }

  public log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }

  public warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  public debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  public verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }

  public fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest calls error(message, stack?, context?). */
  public error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.levels.has(level)) return;
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    const last = rest[rest.length - 1];
    if (rest.length > 0 && typeof last === 'string') {
      fields.context = last;
      rest.pop();
    }
    const first = rest[0];
    if (level === 'error' && typeof first === 'string' && first.includes('\n    at ')) fields.stack = first;
    const pinoLevel = NEST_TO_PINO[level] as 'info';
    if (message instanceof Error) {
      this.logger[pinoLevel]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[pinoLevel]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[pinoLevel](fields, String(message));
    }
  }
}
