import { readFileSync } from 'node:fs';
import { asJson, expectedPath, GOLDEN_CASES, runCase, summarise } from './golden-cases';

// Fixed seeds over the fixtures must reproduce the checked-in summaries byte for byte (counts per split and class,
// sha256 of each file). After an intended change: `npx tsx libs/curation/test/golden/update-golden.ts`.
describe('golden curation summaries', () => {
  it.each(GOLDEN_CASES.map((c) => [c.name, c] as const))('%s matches its checked-in summary', async (_name, c) => {
    const expected: unknown = JSON.parse(readFileSync(expectedPath(c), 'utf8'));
    expect(asJson(summarise(c, await runCase(c)))).toEqual(expected);
  });

  it('is reproducible run to run', async () => {
    const c = GOLDEN_CASES[0]!;
    const a = await runCase(c);
    const b = await runCase(c);
    expect(b.datasets).toEqual(a.datasets);
  });
});
