// Where the checkout is, for the demo's sample data (the services themselves are found by @flywheel/dev-stack).
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');
