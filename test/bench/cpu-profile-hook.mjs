// Preloaded with `NODE_OPTIONS=--import <this file>` (Node refuses --cpu-prof there): samples the process's CPU from
// start to exit and writes <CPU_PROFILE_DIR>/<service>-<pid>.cpuprofile, for Chrome DevTools or speedscope.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, dirname } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR ?? 'cpu-profiles';
// services/<name>/src/main.ts under tsx, or <name>.js when the stack runs bundles.
const main = process.argv.find((a) => a.endsWith('main.ts')) ?? process.argv[1] ?? 'node';
const name = (main.endsWith('main.ts') ? basename(dirname(dirname(main))) : basename(main, '.js')) || 'node';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.on('exit', () => {
  // The inspector answers a same-thread session synchronously, so this runs before the process is gone.
  session.post('Profiler.stop', (err, result) => {
    if (err || !result) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${name}-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
  });
});
