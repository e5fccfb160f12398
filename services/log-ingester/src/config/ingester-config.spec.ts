// The ingester's configuration: runs with no settings at all against the dev stack; every bad key is named at once;
// the README documents every key it reads.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@flywheel/service-kit';
import { ingesterEnv, loadIngesterConfig } from './ingester-config';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadIngesterConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('ingester config', () => {
  it('should need no settings against the dev stack (npm run kafka)', () => {
    const config = loadIngesterConfig({ INGESTER_INSTANCE_ID: 'test-1' });
    expect(config).toMatchObject({
      http: { host: '127.0.0.1', port: 8090, maxBodyBytes: 16 * 1024 * 1024 },
      kafka: { brokers: ['127.0.0.1:9092'], clientId: 'log-ingester' },
      schemaRegistryUrl: 'http://127.0.0.1:8081',
      consumer: { groupId: 'log-ingester', jsonTopic: 'flywheel.log.llm-call-json.v1' },
      batch: { maxRecords: 1000, lingerMs: 20 },
      maxRecordBytes: 5 * 1024 * 1024,
      store: { kind: 'sqlite', path: '.data/stores/logs.db' },
      instanceId: 'test-1',
      logLevels: ['error', 'warn', 'log'],
    });
    expect(config.redaction.enabled).toBe(true);
  });

  it('should name every bad key in one error', () => {
    expect(
      problems({
        HTTP_PORT: 'eighty',
        KAFKA_BROKERS: '',
        INGESTER_MAX_RECORD_BYTES: '0',
        INGESTER_BATCH_MAX_RECORD: '10',
        LOG_STORE_KIND: 'postgres',
        REDACTION_CONFIG: '{"custom":[{"name":"ticket","pattern":"("}]}',
      }),
    ).toEqual([
      'INGESTER_BATCH_MAX_RECORD: unknown setting (did you mean INGESTER_BATCH_MAX_RECORDS?)',
      'HTTP_PORT: must be a whole number (got "eighty")',
      'INGESTER_MAX_RECORD_BYTES: must be at least 1 (got "0")',
      'LOG_STORE_KIND: must be one of sqlite, elasticsearch (got "postgres")',
      expect.stringMatching(/^REDACTION_CONFIG\.custom\.0\.pattern: invalid regular expression: /),
    ]);
  });

  it('should check settings that only make sense together', () => {
    expect(
      problems({
        LOG_STORE_KIND: 'elasticsearch',
        KAFKA_SESSION_TIMEOUT_MS: '1000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '900',
        INGESTER_HTTP_MAX_BODY_BYTES: '1000',
      }),
    ).toEqual([
      'KAFKA_SESSION_TIMEOUT_MS: must exceed KAFKA_MAX_WAIT_MS + KAFKA_HEARTBEAT_INTERVAL_MS',
      'INGESTER_MAX_RECORD_BYTES: must not exceed INGESTER_HTTP_MAX_BODY_BYTES',
      'ELASTICSEARCH_URL: required when LOG_STORE_KIND=elasticsearch',
    ]);
  });

  it('should read redaction settings from a file, and name the file when it is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingester-config-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ detectors: { phone: false } }));
    expect(loadIngesterConfig({ REDACTION_CONFIG_FILE: good }).redaction.detectors.phone.enabled).toBe(false);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ detectors: { telepathy: true } }));
    expect(problems({ REDACTION_CONFIG_FILE: bad })).toEqual([
      expect.stringMatching(new RegExp(`^REDACTION_CONFIG_FILE: ${bad}: detectors: Unrecognized key`)),
    ]);
  });

  it('should hide the Elasticsearch password when the config is printed', () => {
    const summary = ingesterEnv.describe({ ELASTICSEARCH_PASSWORD: 'pa55word', LOG_STORE_KIND: 'elasticsearch' });
    expect(summary).toContain('ELASTICSEARCH_PASSWORD=<redacted>');
    expect(summary.join('\n')).not.toContain('pa55word');
  });

  it('should be documented: the README lists every key', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const missing = ingesterEnv.keys.filter((key) => !readme.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });
});
