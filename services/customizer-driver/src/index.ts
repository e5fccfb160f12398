// The customizer-driver's parts, for its tests and for starting it inside another process (the CLI's `up`).
export { driverEnv, loadDriverConfig, type DriverConfig } from './config/driver-config';
export { configSpecFor, modelSettingsSchema, type ModelSettings } from './config/model-settings';
export { CustomizerDriverModule, SERVICE_NAME, SUBSCRIPTIONS, type DriverOverrides } from './customizer-driver.module';
export { EVENT_ID_NAMESPACE, eventIdOf, progressEventIdOf } from './customization/events';
export { FailureCodes } from './customization/failures';
export { mergeHyperparameters } from './customization/hyperparameters';
export { CustomizationStateStore } from './state/customization-state-store';
export { CustomizationWorker } from './worker/customization-worker';
