import { ConfigError } from './config-error';
import { defineEnv, REDACTED } from './define-env';
import { isSecret } from './env';
import { createPlatform, platformConfigFrom, platformEnv } from './platform-env';

const envOf = defineEnv({ ...platformEnv() }, (v, ctx) => platformConfigFrom(v, ctx));

function problemsOf(source: Record<string, string>): readonly string[] {
  try {
    envOf.load(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('platform env fragment', () => {
  it('should reach the platform simulator with no settings, every NeMo URL defaulting to NEMO_BASE_URL', () => {
    const config = envOf.load({});
    expect(config).toMatchObject({
      backend: 'nemo',
      namespace: 'dfwbp',
      nemo: {
        nemoBaseUrl: 'http://127.0.0.1:8080',
        datastoreBaseUrl: 'http://127.0.0.1:8080',
        nimBaseUrl: 'http://127.0.0.1:8080',
        wait: { pollIntervalMs: 5000 },
      },
    });
    expect(createPlatform(config).backend).toBe('nemo');
  });

  it('should build the OpenAI-compatible backend from its JSON, with the shared datasets directory', () => {
    const endpoint = { model: 'llama3.2:1b', baseUrl: 'http://localhost:11434/v1' };
    const config = envOf.load({
      PLATFORM_BACKEND: 'openai-compatible',
      OPENAI_COMPATIBLE_CONFIG: JSON.stringify({ endpoints: [endpoint], judge: endpoint }),
      DATASETS_DIR: '/tmp/flywheel-datasets',
    });
    expect(config).toMatchObject({ backend: 'openai-compatible', openai: { datasetsDir: '/tmp/flywheel-datasets' } });
    expect(createPlatform(config).backend).toBe('openai-compatible');
  });

  it('should name OPENAI_COMPATIBLE_CONFIG and the missing field when the endpoints are not given', () => {
    expect(problemsOf({ PLATFORM_BACKEND: 'openai-compatible' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/OPENAI_COMPATIBLE_CONFIG.*endpoints/)]),
    );
    expect(problemsOf({ PLATFORM_POLL_INTERVAL_MS: '0' })).toEqual([
      expect.stringMatching(/PLATFORM_POLL_INTERVAL_MS/),
    ]);
  });

  it('should treat OPENAI_COMPATIBLE_CONFIG as a secret: its API keys never reach the boot log or an error', () => {
    expect(isSecret(platformEnv().OPENAI_COMPATIBLE_CONFIG)).toBe(true);
    const withKey = JSON.stringify({
      endpoints: [{ model: 'm', baseUrl: 'http://localhost:8000/v1', apiKey: 'sk-very-secret' }],
      judge: { model: 'j', baseUrl: 'http://judge/v1', apiKey: 'sk-very-secret' },
    });
    const lines = envOf.describe({ PLATFORM_BACKEND: 'openai-compatible', OPENAI_COMPATIBLE_CONFIG: withKey });
    expect(lines).toContain(`OPENAI_COMPATIBLE_CONFIG=${REDACTED}`);
    expect(lines.join('\n')).not.toContain('sk-very-secret');
    const problems = problemsOf({
      PLATFORM_BACKEND: 'openai-compatible',
      OPENAI_COMPATIBLE_CONFIG: '{"apiKey":"sk-very-secret"',
    });
    expect(problems).toEqual([expect.stringMatching(/^OPENAI_COMPATIBLE_CONFIG: /)]);
    expect(problems.join('\n')).not.toContain('sk-very-secret');
  });
});
