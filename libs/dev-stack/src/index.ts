export { startDevStack, type DevStack, type DevStackOptions } from './dev-stack';
