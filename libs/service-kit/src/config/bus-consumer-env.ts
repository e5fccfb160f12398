// Env fragments of a service's own consumer group: `<PREFIX>_GROUP_ID`, the handler timeout, the attempts per record
// and the retry backoff. Names differ per service (the prefix) and so do defaults, so each fragment is built from
// options; `vars` goes into the `defineEnv` shape and `from(v, ctx)` maps the parsed variables (and reports a
// backoff maximum below its base on the maximum's key).
import { type z } from 'zod';
import { type BuildContext } from './define-env';
import { env } from './env';

type IntVar = z.ZodType<number, z.ZodTypeDef, unknown>;
type StringVar = z.ZodType<string, z.ZodTypeDef, unknown>;

/** One integer variable: its default, bounds and what it means. */
export interface IntVarOptions {
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly description: string;
}

export interface RetryBackoff {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/** An env fragment: the variables to spread into a `defineEnv` shape and the mapping of their parsed values. */
export interface EnvFragment<Shape extends Record<string, z.ZodTypeAny>, Vars, T> {
  readonly vars: Shape;
  from(v: Vars, ctx: BuildContext): T;
}

/** `<PREFIX>_GROUP_ID`: the consumer group (its dead-letter topic is `<group>.dlq`). */
export function groupIdEnv<P extends string>(opts: {
  readonly prefix: P;
  readonly default: string;
  readonly description: string;
}): Record<`${P}_GROUP_ID`, StringVar> {
  return {
    [`${opts.prefix}_GROUP_ID`]: env.string({ default: opts.default, description: opts.description }),
  } as Record<`${P}_GROUP_ID`, StringVar>;
}

type BackoffKey<P extends string> = `${P}_RETRY_BACKOFF_BASE_MS` | `${P}_RETRY_BACKOFF_MAX_MS`;

/** `<PREFIX>_RETRY_BACKOFF_BASE_MS` / `_MAX_MS`: the first and the longest wait between attempts. */
export function retryBackoffEnv<P extends string>(opts: {
  readonly prefix: P;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly baseDescription?: string;
  readonly maxDescription?: string;
}): EnvFragment<Record<BackoffKey<P>, IntVar>, Readonly<Record<BackoffKey<P>, number>>, RetryBackoff> {
  const base = `${opts.prefix}_RETRY_BACKOFF_BASE_MS` as const;
  const max = `${opts.prefix}_RETRY_BACKOFF_MAX_MS` as const;
  const vars = {
    [base]: env.int({
      default: opts.baseMs,
      min: 0,
      description: opts.baseDescription ?? 'First wait between attempts.',
    }),
    [max]: env.int({
      default: opts.maxMs,
      min: 0,
      description: opts.maxDescription ?? 'Longest wait between attempts.',
    }),
  } as Record<BackoffKey<P>, IntVar>;
  return {
    vars,
    from(v, ctx) {
      const backoffBaseMs = v[base];
      const backoffMaxMs = v[max];
      if (backoffMaxMs < backoffBaseMs) ctx.problem(max, `must be >= ${base}`);
      return { backoffBaseMs, backoffMaxMs };
    },
  };
}

/** What the bus takes from a service's consumer-group variables. */
export interface BusConsumerSettings {
  readonly groupId: string;
  readonly handlerTimeoutMs: number;
  readonly retry: RetryBackoff & { readonly maxAttempts: number };
}

type BusIntKey<P extends string, A extends string> = `${P}_HANDLER_TIMEOUT_MS` | `${P}_${A}` | BackoffKey<P>;
type BusConsumerShape<P extends string, A extends string> = Record<`${P}_GROUP_ID`, StringVar> &
  Record<BusIntKey<P, A>, IntVar>;
type BusConsumerVars<P extends string, A extends string> = Readonly<Record<`${P}_GROUP_ID`, string>> &
  Readonly<Record<BusIntKey<P, A>, number>>;

/**
 * The consumer group, handler timeout, attempts per record and backoff of a service's bus, in that order:
 * `<PREFIX>_GROUP_ID`, `_HANDLER_TIMEOUT_MS`, `_<attemptsName>` (MAX_ATTEMPTS unless named), `_RETRY_BACKOFF_*`.
 */
export function busConsumerEnv<P extends string, A extends string = 'MAX_ATTEMPTS'>(opts: {
  readonly prefix: P;
  readonly groupId: { readonly default: string; readonly description: string };
  readonly handlerTimeoutMs: IntVarOptions;
  readonly maxAttempts: IntVarOptions;
  /** The attempts variable's name after the prefix; MAX_ATTEMPTS when not given. */
  readonly attemptsName?: A;
  readonly backoff: {
    readonly baseMs: number;
    readonly maxMs: number;
    readonly baseDescription?: string;
    readonly maxDescription?: string;
  };
}): EnvFragment<BusConsumerShape<P, A>, BusConsumerVars<P, A>, BusConsumerSettings> {
  const group = `${opts.prefix}_GROUP_ID` as const;
  const timeout = `${opts.prefix}_HANDLER_TIMEOUT_MS` as const;
  const attempts = `${opts.prefix}_${opts.attemptsName ?? 'MAX_ATTEMPTS'}` as `${P}_${A}`;
  const backoff = retryBackoffEnv({ prefix: opts.prefix, ...opts.backoff });
  const vars = {
    ...groupIdEnv({ prefix: opts.prefix, ...opts.groupId }),
    [timeout]: env.int(opts.handlerTimeoutMs),
    [attempts]: env.int(opts.maxAttempts),
    ...backoff.vars,
  } as BusConsumerShape<P, A>;
  return {
    vars,
    from(v, ctx) {
      // TypeScript cannot narrow an index by a generic template key; the shape above fixes each key's type.
      const values = v as Readonly<Record<string, string | number>>;
      return {
        groupId: values[group] as string,
        handlerTimeoutMs: values[timeout] as number,
        retry: { maxAttempts: values[attempts] as number, ...backoff.from(v, ctx) },
      };
    },
  };
}
