// docker-compose.yaml through Compose itself, where its CLI is installed (Debian's `docker-compose` package; CI installs
// it): `config -q` parses, interpolates and validates the file the way `docker compose up` would, with and without the
// simulator profile, and refuses a broken copy. Without the CLI the test says so and the schema checks
// (compose.integration-spec.ts) stand alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { COMPOSE_PATH, ENV_EXAMPLE_PATH } from './compose-file';

const cli = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
const available = cli.status === 0;
if (!available) {
  process.stdout.write(
    'compose-cli: skipped, no docker-compose CLI on PATH (apt-get install docker-compose); the schema checks still run\n',
  );
}
const describeIfCli = available ? describe : describe.skip;

function config(file: string, ...extra: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(
    'docker-compose',
    [
      '-f',
      file,
      '--project-directory',
      dirname(COMPOSE_PATH),
      '--env-file',
      ENV_EXAMPLE_PATH,
      ...extra,
      'config',
      '-q',
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { status: r.status, stderr: r.stderr };
}

describeIfCli('docker-compose.yaml: docker-compose config', () => {
  it('is valid as Compose reads it, with and without the simulator profile', () => {
    // stderr is in the comparison so a failure shows what Compose said.
    expect(config(COMPOSE_PATH)).toEqual({ status: 0, stderr: expect.any(String) as unknown });
    expect(config(COMPOSE_PATH, '--profile', 'simulator')).toEqual({
      status: 0,
      stderr: expect.any(String) as unknown,
    });
  });

  it('rejects a copy with a service that depends on one that does not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-cli-'));
    try {
      const broken = join(dir, 'docker-compose.yaml');
      const text = readFileSync(COMPOSE_PATH, 'utf8');
      writeFileSync(
        broken,
        text.replace(/^services:\n/m, 'services:\n  orphan:\n    image: busybox\n    depends_on: [nowhere]\n'),
      );
      const r = config(broken);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/nowhere/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
