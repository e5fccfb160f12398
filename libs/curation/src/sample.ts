// Seeded sampling (§2.4 rule 7): up to `limit` records, drawn without replacement from the deduplicated set. The
// blueprint ignored seed 0 (falsy) and per-job seeds (bug §10.8); here every integer is a seed.
import { sampleWithoutReplacement, seededRandom } from './prng';

export function sampleRecords<T>(records: readonly T[], limit: number, seed: number): T[] {
  return sampleWithoutReplacement(records, limit, seededRandom(seed, 'sample'));
}
