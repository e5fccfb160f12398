// Can a newer schema read what an older one wrote? A new version lives on its own topic, but a consumer must still be
// able to replay the old topic through the new reader, so every version reads every earlier one.
import { type Type } from 'avsc';
import { parseAvroSchema } from './logical-types';
import { type SchemaFile, versionsByEvent } from './schema-files';

/**
 * Problems reading data written with `writer` through `reader`; empty when it works. Names match without their
 * namespaces (flywheel.run.v1.X reads as flywheel.run.v2.X), as Java Avro's resolution does.
 */
export function readProblems(reader: Type, writer: Type): string[] {
  try {
    reader.createResolver(writer, { ignoreNamespaces: true });
    return [];
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}

export interface EvolutionProblem {
  readonly reader: string;
  readonly writer: string;
  readonly problem: string;
}

/** Checks every version of every event against all its earlier versions. */
export function evolutionProblems(files: readonly SchemaFile[]): EvolutionProblem[] {
  const problems: EvolutionProblem[] = [];
  for (const versions of versionsByEvent(files).values()) {
    versions.forEach((reader, i) => {
      for (const writer of versions.slice(0, i)) {
        const found = readProblems(parseAvroSchema(reader.schema), parseAvroSchema(writer.schema));
        problems.push(...found.map((problem) => ({ reader: reader.path, writer: writer.path, problem })));
      }
    });
  }
  return problems;
}
