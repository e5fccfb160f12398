// Injection tokens of providers that are not classes of their own (tsx emits no decorator metadata, so every
// injection names its token).
export const EVALUATOR_CONFIG = Symbol('evaluator-driver.config');
export const EVALUATION_CLIENT = Symbol('evaluator-driver.evaluation-client');
