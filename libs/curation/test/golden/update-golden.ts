// Regenerates the expected golden summaries: `npx tsx libs/curation/test/golden/update-golden.ts`.
// Review the diff before committing: a changed hash means a changed dataset.
import { mkdirSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { EXPECTED, expectedPath, GOLDEN_CASES, runCase, summarise } from './golden-cases';

async function main(): Promise<void> {
  mkdirSync(EXPECTED, { recursive: true });
  for (const c of GOLDEN_CASES) {
    const summary = summarise(c, await runCase(c));
    const path = expectedPath(c);
    const options = (await resolveConfig(path)) ?? {};
    writeFileSync(path, await format(JSON.stringify(summary), { ...options, parser: 'json' }));
    console.log(`wrote ${path}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
