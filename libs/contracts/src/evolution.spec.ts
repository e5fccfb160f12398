// Schema evolution: every version of an event can read data written with each earlier version, so a consumer can
// replay an old topic through the new reader. The fixtures prove the check catches a breaking change.
import { join, resolve } from 'node:path';
import { evolutionProblems } from './avro/evolution';
import { parseAvroSchema } from './avro/logical-types';
import { loadSchemaFiles, versionsByEvent } from './avro/schema-files';

const ROOT = resolve(__dirname, '../../..');
const FIXTURES = join(__dirname, 'testing/evolution');

describe('schema evolution', () => {
  it('every newer version in schemas/ reads every older one', () => {
    expect(evolutionProblems(loadSchemaFiles(join(ROOT, 'schemas')))).toEqual([]);
  });

  it('passes a compatible v2 (optional field with default null, new enum symbol) and reads v1 data', () => {
    const files = loadSchemaFiles(join(FIXTURES, 'compatible'));
    expect(evolutionProblems(files)).toEqual([]);
    const [v1, v2] = versionsByEvent(files).get('widget/widget-created') ?? [];
    const writer = parseAvroSchema(v1?.schema);
    const reader = parseAvroSchema(v2?.schema);
    const resolver = reader.createResolver(writer, { ignoreNamespaces: true });
    const buf = writer.toBuffer({ widget_id: 'w1', kind: 'large' });
    expect(reader.fromBuffer(buf, resolver)).toEqual({ widget_id: 'w1', kind: 'large', colour: null });
  });

  it('fails a v2 that adds a required field without a default', () => {
    const problems = evolutionProblems(loadSchemaFiles(join(FIXTURES, 'breaking')));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      reader: 'widget/widget-created.v2.avsc',
      writer: 'widget/widget-created.v1.avsc',
    });
  });
});
