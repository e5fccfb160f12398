// The six flywheel services the supervisor runs, each as its own process from `services/<name>/src/main.ts`, in the
// order they are listed by `flywheel up` (start order does not matter: every service waits for its inputs on the bus).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const FLYWHEEL_SERVICES = [
  'log-ingester',
  'dataset-builder',
  'deployer',
  'customizer-driver',
  'evaluator-driver',
  'results-aggregator',
] as const;

export type FlywheelServiceName = (typeof FLYWHEEL_SERVICES)[number];

/** A process the supervisor runs: one of the services or the platform simulator. */
export type StackProcessName = FlywheelServiceName | 'platform-simulator';

export const SIMULATOR = 'platform-simulator' as const;

export function isFlywheelService(name: string): name is FlywheelServiceName {
  return (FLYWHEEL_SERVICES as readonly string[]).includes(name);
}

export function mainPathOf(repoRoot: string, name: StackProcessName): string {
  return join(repoRoot, 'services', name, 'src', 'main.ts');
}

export function isPresent(repoRoot: string, name: StackProcessName): boolean {
  return existsSync(mainPathOf(repoRoot, name));
}
