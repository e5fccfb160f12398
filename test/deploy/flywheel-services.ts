// The six flywheel services as the deployment files see them: name, HTTP port and the service's own env definition
// (the one its main.ts loads), so the compose file and the Helm values are checked by the code that will read them.
import { driverEnv } from '@flywheel/customizer-driver';
import { builderEnv } from '@flywheel/dataset-builder';
import { deployerEnv } from '@flywheel/deployer';
import { evaluatorEnv } from '@flywheel/evaluator-driver';
import { ingesterEnv } from '@flywheel/log-ingester';
import { aggregatorEnv } from '@flywheel/results-aggregator';
import { ConfigError, isSecret, type EnvSource } from '@flywheel/service-kit';
import { type z } from 'zod';

/** What the deployment tests read of a loaded config: where it listens and which backends it selected. */
export interface ProductionSummary {
  readonly host: string;
  readonly port: number;
  readonly brokers: readonly string[];
  readonly schemaRegistryUrl: string;
  /** Store backends, e.g. `log:elasticsearch`, `run:mongodb`. */
  readonly stores: readonly string[];
  /** `nemo` or `openai-compatible`, for the services that talk to the model platform. */
  readonly platform?: string;
}

export interface FlywheelService {
  readonly name: string;
  readonly port: number;
  readonly env: {
    readonly keys: readonly string[];
    readonly shape: z.ZodRawShape;
    describe(source: EnvSource): string[];
  };
  /** Loads the env with the service's definition (throws its ConfigError) and summarises the result. */
  load(source: EnvSource): ProductionSummary;
}

export const FLYWHEEL_SERVICES: readonly FlywheelService[] = [
  {
    name: 'log-ingester',
    port: 8090,
    env: ingesterEnv,
    load(source) {
      const c = ingesterEnv.load(source);
      return { ...common(c), stores: [`log:${c.store.kind}`] };
    },
  },
  {
    name: 'dataset-builder',
    port: 8092,
    env: builderEnv,
    load(source) {
      const c = builderEnv.load(source);
      return { ...common(c), stores: [`log:${c.store.kind}`], platform: c.platform.backend };
    },
  },
  {
    name: 'deployer',
    port: 8093,
    env: deployerEnv,
    load(source) {
      const c = deployerEnv.load(source);
      return { ...common(c), stores: [], platform: c.platform.backend };
    },
  },
  {
    name: 'customizer-driver',
    port: 8094,
    env: driverEnv,
    load(source) {
      const c = driverEnv.load(source);
      return { ...common(c), stores: [], platform: c.platform.backend };
    },
  },
  {
    name: 'evaluator-driver',
    port: 8095,
    env: evaluatorEnv,
    load(source) {
      const c = evaluatorEnv.load(source);
      return { ...common(c), stores: [], platform: c.platform.backend };
    },
  },
  {
    name: 'results-aggregator',
    port: 8000,
    env: aggregatorEnv,
    load(source) {
      const c = aggregatorEnv.load(source);
      return { ...common(c), stores: [`log:${c.logStore.kind}`, `run:${c.runStore.kind}`] };
    },
  },
];

interface CommonConfig {
  readonly http: { readonly host: string; readonly port: number };
  readonly kafka: { readonly brokers: readonly string[] };
  readonly schemaRegistryUrl: string;
}

function common(c: CommonConfig): Omit<ProductionSummary, 'stores'> {
  return { host: c.http.host, port: c.http.port, brokers: c.kafka.brokers, schemaRegistryUrl: c.schemaRegistryUrl };
}

/** The variables a service marks secret (`secret()` in service-kit): never printed, never in a ConfigMap. */
export function secretKeysOf(service: FlywheelService): string[] {
  return Object.entries(service.env.shape)
    .filter(([, schema]) => isSecret(schema))
    .map(([key]) => key);
}

/** The problems a ConfigError lists, or [] when the env loads. */
export function problemsOf(service: FlywheelService, source: EnvSource): readonly string[] {
  try {
    service.load(source);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}
