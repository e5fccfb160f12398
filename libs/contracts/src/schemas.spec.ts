// The catalogue on disk: every schema parses, everything is documented, and every sample production log converts
// through the input validator and survives an Avro round trip unchanged.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAvroSchema } from './avro/logical-types';
import { loadSchemaFiles } from './avro/schema-files';
import { readSchemaModel } from './codegen/schema-model';
import { LlmCallLoggedV1Schema } from './generated';
import { llmCallInputSchema, toLlmCallLogged } from './inputs/llm-call-input';
import { catalogue } from './topics';

const ROOT = resolve(__dirname, '../../..');
const files = loadSchemaFiles(join(ROOT, 'schemas'));
const LOGS_DIR = join(ROOT, 'test/fixtures/production-logs');

describe('schemas/', () => {
  it('holds the catalogue', () => {
    expect(files.length).toBeGreaterThanOrEqual(26);
  });

  it.each(files.map((f) => [f.path, f] as const))('%s parses with avsc', (_path, file) => {
    expect(() => parseAvroSchema(file.schema)).not.toThrow();
  });

  it.each(files.map((f) => [f.path, f] as const))('%s documents every record, enum and field', (_path, file) => {
    expect(readSchemaModel(file).problems).toEqual([]);
  });

  it('has a catalogue entry for every schema and a schema file for every entry', () => {
    const names = (schema: { namespace: string; name: string }): string => `${schema.namespace}.${schema.name}`;
    const onDisk = files.map((f) => names(f.schema as { namespace: string; name: string })).sort();
    const inCatalogue = Object.values(catalogue)
      .map((c) => names(c.schema))
      .sort();
    expect(inCatalogue).toEqual(onDisk);
  });

  it('rejects a logical type on the wrong underlying type', () => {
    const bad = {
      type: 'record',
      name: 'Bad',
      fields: [{ name: 'at', type: { type: 'string', logicalType: 'timestamp-millis' } }],
    };
    expect(() => parseAvroSchema(bad)).toThrow(/timestamp-millis must annotate a long/);
  });
});

describe('sample production logs', () => {
  const type = parseAvroSchema(LlmCallLoggedV1Schema);
  const logFiles = readdirSync(LOGS_DIR).filter((f) => f.endsWith('.jsonl'));

  it.each(logFiles)('%s: every record validates, converts and round-trips losslessly', (file) => {
    const lines = readFileSync(join(LOGS_DIR, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0);
    expect(lines.length).toBeGreaterThan(0);
    lines.forEach((line, i) => {
      const raw = JSON.parse(line) as {
        timestamp: number;
        request: { tools?: { function: { parameters: unknown } }[]; messages: unknown[] };
      };
      const parsed = llmCallInputSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.message}`);
      const payload = toLlmCallLogged(parsed.data, {
        eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      });
      expect(catalogue['flywheel.log.llm-call-logged.v1'].validate(payload)).toEqual([]);
      expect(type.isValid(payload)).toBe(true);
      expect(type.fromBuffer(type.toBuffer(payload))).toEqual(payload);
      // What Avro holds as JSON text is the original structure.
      expect(payload.timestamp).toBe(raw.timestamp * 1000);
      expect(payload.request.messages).toHaveLength(raw.request.messages.length);
      expect(payload.request.tools.map((t) => JSON.parse(t.function.parameters ?? 'null') as unknown)).toEqual(
        (raw.request.tools ?? []).map((t) => t.function.parameters),
      );
    });
  });
});
