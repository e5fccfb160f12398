// The log-ingester's public surface: its config (for deployment checks) and its module (for tests and embedding).
export { ingesterEnv, loadIngesterConfig, type IngesterConfig } from './config/ingester-config';
export { IngesterModule, SERVICE_NAME, type IngesterOverrides } from './ingester.module';
export { type IngestReport, type LineError } from './http/http-intake';
