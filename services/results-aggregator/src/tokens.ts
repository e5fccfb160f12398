// Injection tokens of providers that are not classes of their own (tsx emits no decorator metadata, so every
// injection names its token).
export const AGGREGATOR_CONFIG = Symbol('results-aggregator.config');
export const RUN_STORE = Symbol('results-aggregator.run-store');
export const LOG_STORE = Symbol('results-aggregator.log-store');
