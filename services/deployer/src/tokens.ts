// Injection tokens of providers that are not classes of their own (tsx emits no decorator metadata, so every
// injection names its token).
export const DEPLOYER_CONFIG = Symbol('deployer.config');
export const DEPLOYER_STATE = Symbol('deployer.state');
export const DEPLOYMENT_CLIENT = Symbol('deployer.deployment-client');
