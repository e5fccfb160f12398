// `npm run contracts:check` passes: the committed generated code matches the schemas.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../../..');

describe('generated contracts', () => {
  it('are up to date with schemas/', async () => {
    const tsx = resolve(ROOT, 'node_modules/.bin/tsx');
    const { stdout } = await promisify(execFile)(tsx, ['scripts/generate-contracts.ts', '--check'], { cwd: ROOT });
    expect(stdout).toMatch(/up to date/);
  });
});
