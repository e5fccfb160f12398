import { z } from 'zod';
import { ConfigError } from './config-error';
import { defineEnv } from './define-env';
import { env, secret } from './env';

const settings = defineEnv(
  {
    HTTP_PORT: env.port({ default: 8080 }),
    KAFKA_BROKERS: env.list({ default: ['127.0.0.1:9092'] }),
    STORE_KIND: env.oneOf(['sqlite', 'elasticsearch'] as const, { default: 'sqlite' }),
    STORE_URL: env.optionalUrl(),
    STORE_PASSWORD: secret(env.optionalString()),
    BATCH_MAX_RECORDS: env.int({ default: 500, min: 1, max: 10_000 }),
    DRY_RUN: env.bool({ default: false }),
    GROUP_ID: env.string(),
    RULES: env.json(z.object({ limit: z.number().int().positive() }), { default: { limit: 3 } }),
  },
  (v, ctx) => {
    if (v.STORE_KIND === 'elasticsearch' && v.STORE_URL === undefined) {
      ctx.problem('STORE_URL', 'required when STORE_KIND=elasticsearch');
    }
    return { port: v.HTTP_PORT, brokers: v.KAFKA_BROKERS, store: v.STORE_KIND, rules: v.RULES, dryRun: v.DRY_RUN };
  },
  { ownedPrefixes: ['BATCH_'] },
);

function problemsOf(source: Record<string, string>): readonly string[] {
  try {
    settings.load(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('defineEnv', () => {
  it('should build typed config with defaults, treating blank values as unset', () => {
    expect(settings.load({ GROUP_ID: 'ingest', HTTP_PORT: '  ', DRY_RUN: 'yes', KAFKA_BROKERS: 'a:1, b:2' })).toEqual({
      port: 8080,
      brokers: ['a:1', 'b:2'],
      store: 'sqlite',
      rules: { limit: 3 },
      dryRun: true,
    });
  });

  it('should list every bad key at once, each with its problem and the value it got', () => {
    expect(
      problemsOf({
        HTTP_PORT: '70000',
        KAFKA_BROKERS: 'a:1,,b:2',
        STORE_KIND: 'mysql',
        BATCH_MAX_RECORDS: 'ten',
        DRY_RUN: 'maybe',
        RULES: '{"limit": -1}',
      }),
    ).toEqual([
      'HTTP_PORT: must be at most 65535 (got "70000")',
      'KAFKA_BROKERS: must be a comma-separated list without empty items (got "a:1,,b:2")',
      'STORE_KIND: must be one of sqlite, elasticsearch (got "mysql")',
      'BATCH_MAX_RECORDS: must be a whole number (got "ten")',
      'DRY_RUN: must be one of true, 1, yes, on, false, 0, no, off (got "maybe")',
      'GROUP_ID: required, not set (unset)',
      'RULES.limit: Number must be greater than 0 (got "{\\"limit\\": -1}")',
    ]);
  });

  it('should report JSON that does not parse', () => {
    expect(problemsOf({ GROUP_ID: 'g', RULES: '{limit: 1' })).toEqual([
      expect.stringMatching(/^RULES: not JSON: .+ \(got "\{limit: 1"\)$/),
    ]);
  });

  it('should report cross-field problems from the build step, after the per-key checks', () => {
    expect(problemsOf({ GROUP_ID: 'g', STORE_KIND: 'elasticsearch' })).toEqual([
      'STORE_URL: required when STORE_KIND=elasticsearch',
    ]);
  });

  it("should report the build step's problems in the same boot as the per-key ones", () => {
    expect(problemsOf({ GROUP_ID: 'g', STORE_KIND: 'elasticsearch', HTTP_PORT: '70000', DRY_RUN: 'maybe' })).toEqual([
      'HTTP_PORT: must be at most 65535 (got "70000")',
      'DRY_RUN: must be one of true, 1, yes, on, false, 0, no, off (got "maybe")',
      'STORE_URL: required when STORE_KIND=elasticsearch',
    ]);
  });

  it("should leave out a build problem that judges an invalid key's stand-in, and survive a build that throws", () => {
    const backoff = defineEnv(
      { BASE_MS: env.int({ default: 100, min: 0 }), MAX_MS: env.int({ default: 1000, min: 0 }), NAME: env.string() },
      (v, ctx) => {
        if (v.MAX_MS < v.BASE_MS) ctx.problem('MAX_MS', 'must be >= BASE_MS');
        return v.NAME.toUpperCase();
      },
    );
    const problems = (source: Record<string, string>): readonly string[] => {
      try {
        backoff.load(source);
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
      throw new Error('expected a ConfigError');
    };
    // BASE_MS stands in at 100, above MAX_MS: a bound against an invalid key says nothing, so it is not reported.
    expect(problems({ BASE_MS: 'soon', MAX_MS: '50', NAME: 'n' })).toEqual([
      'BASE_MS: must be a whole number (got "soon")',
    ]);
    expect(problems({ BASE_MS: '-1', MAX_MS: '50' })).toEqual([
      'BASE_MS: must be at least 0 (got "-1")',
      'NAME: required, not set (unset)',
    ]);
  });

  it('should not quote a JSON value in its syntax error: the value may be secret', () => {
    const keyed = defineEnv({ CONFIG: secret(env.json(z.record(z.unknown()), { default: {} })) }, (v) => v.CONFIG);
    for (const text of ['{"apiKey": sk-live-123456}', 'sk-live-123456', '{"apiKey": "sk-live-123456"']) {
      try {
        keyed.load({ CONFIG: text });
        throw new Error('expected a ConfigError');
      } catch (err) {
        expect((err as ConfigError).problems).toEqual([
          expect.stringMatching(/^CONFIG: not JSON: .+ \(value hidden\)$/),
        ]);
        expect((err as ConfigError).message).not.toContain('sk-live');
      }
    }
  });

  it('should flag unknown keys under an owned prefix, suggesting the nearest known one', () => {
    expect(problemsOf({ GROUP_ID: 'g', BATCH_MAX_RECORD: '5', BATCH_FLAVOUR: 'x', OTHER_THING: '1' })).toEqual([
      'BATCH_MAX_RECORD: unknown setting (did you mean BATCH_MAX_RECORDS?)',
      'BATCH_FLAVOUR: unknown setting (not a setting of this service)',
    ]);
  });

  it('should never show a secret: not in problems, not in the printed summary', () => {
    const schemaWithSecretCheck = defineEnv({ TOKEN: secret(env.string({ min: 12 })) }, (v) => v.TOKEN);
    try {
      schemaWithSecretCheck.load({ TOKEN: 'hunter2' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).message).not.toContain('hunter2');
      expect((err as ConfigError).problems).toEqual([
        'TOKEN: String must contain at least 12 character(s) (value hidden)',
      ]);
    }
    const summary = settings.describe({ GROUP_ID: 'ingest', STORE_PASSWORD: 's3cret', HTTP_PORT: '9000' });
    expect(summary).toEqual([
      'HTTP_PORT=9000',
      'STORE_PASSWORD=<redacted>',
      'GROUP_ID=ingest',
      '(6 other settings at their defaults)',
    ]);
  });

  it('should expose its keys for documentation and deployment checks', () => {
    expect(settings.keys).toEqual([
      'HTTP_PORT',
      'KAFKA_BROKERS',
      'STORE_KIND',
      'STORE_URL',
      'STORE_PASSWORD',
      'BATCH_MAX_RECORDS',
      'DRY_RUN',
      'GROUP_ID',
      'RULES',
    ]);
  });
});
