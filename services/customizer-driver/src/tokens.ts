// Injection tokens of providers that are not classes of their own (tsx emits no decorator metadata, so every
// injection names its token).
export const DRIVER_CONFIG = Symbol('customizer-driver.config');
export const CUSTOMIZATION_CLIENT = Symbol('customizer-driver.customization-client');
export const STATE_STORE = Symbol('customizer-driver.state');
