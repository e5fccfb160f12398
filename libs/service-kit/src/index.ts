// @flywheel/service-kit: what every flywheel service shares — env config (zod, every bad key listed, secrets
// redacted), health/readiness endpoints, Prometheus /metrics (one registry per app), start-up retries, graceful
// shutdown and the Nest bootstrap on express.
export { ConfigError } from './config/config-error';
export {
  defineEnv,
  REDACTED,
  type BuildContext,
  type EnvConfig,
  type EnvConfigOptions,
  type EnvSource,
} from './config/define-env';
export { env, isSecret, secret } from './config/env';
export {
  httpEnv,
  kafkaConfigFrom,
  kafkaConsumerFrom,
  kafkaEnv,
  kafkaFetchEnv,
  KAFKA_LOG_LEVELS,
  logLevelEnv,
  logLevelsFrom,
  logFormatFrom,
  LOG_FORMATS,
  type LogFormat,
  LOG_LEVELS,
  schemaRegistryEnv,
  shutdownEnv,
  type KafkaVars,
  type ServiceLogLevel,
} from './config/common-env';
export {
  busConsumerEnv,
  groupIdEnv,
  retryBackoffEnv,
  type BusConsumerSettings,
  type EnvFragment,
  type IntVarOptions,
  type RetryBackoff,
} from './config/bus-consumer-env';
export { readJsonFile } from './config/json-file';
export {
  logStoreBootEnv,
  logStoreConfigFrom,
  logStoreEnv,
  runStoreConfigFrom,
  runStoreEnv,
  storeBootFrom,
  type LogStoreVars,
  type RunStoreVars,
  type StoreBoot,
} from './config/store-env';
export { HealthRegistry, type CheckResult, type HealthCheck, type HealthReport } from './health/health-registry';
export { HealthController } from './health/health.controller';
export { ServiceMetrics, type ServiceMetricsOptions } from './metrics/service-metrics';
export { BusMetrics } from './metrics/bus-metrics';
export { PlatformMetrics } from './metrics/platform-metrics';
export {
  ConsumerLagProbe,
  consumerLagProbeSchema,
  type ConsumerLagProbeOptions,
  type ProbeLogger,
} from './metrics/consumer-lag-probe';
export { ConsumerLagMonitor } from './metrics/consumer-lag-monitor';
export { MetricsController } from './metrics/metrics.controller';
export { ServiceKitModule, type ServiceKitOptions } from './service-kit.module';
export { retryUntil, type RetryUntilOptions } from './lifecycle/retry-until';
export { installShutdownHandlers, type Closable, type ShutdownOptions } from './lifecycle/shutdown';
export { DEFAULT_LOG_LEVELS, runMain, startHttpService, type HttpService, type HttpServiceOptions } from './bootstrap';
export {
  createPlatform,
  DEFAULT_PLATFORM_URL,
  platformConfigFrom,
  platformEnv,
  platformWaitFrom,
  type PlatformConfig,
  type PlatformVars,
  type PlatformWait,
} from './config/platform-env';
