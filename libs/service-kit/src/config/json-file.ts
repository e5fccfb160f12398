// A JSON file named by a config variable (e.g. CURATION_CONFIG_FILE). Read by the config module only; a problem comes
// back as a message for `ctx.problem` so that it is listed with every other bad key instead of thrown.
import { readFileSync } from 'node:fs';

/** The parsed document, or a message saying why the file cannot be read or is not JSON. */
export function readJsonFile(path: string): { value: unknown } | string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`;
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return `${path} is not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
}
