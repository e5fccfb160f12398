// Injection tokens of the ingester's providers that are not classes of their own (tsx emits no decorator
// metadata, so every injection names its token).
export const INGESTER_CONFIG = Symbol('log-ingester.config');
export const LOG_STORE = Symbol('log-ingester.log-store');
export const EVENT_PUBLISHER = Symbol('log-ingester.event-publisher');
export const BATCH_CONSUMER = Symbol('log-ingester.batch-consumer');
export const REDACTOR = Symbol('log-ingester.redactor');
