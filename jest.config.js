// Two tiers: fast unit specs beside the code, and integration specs that drive real clients
// (kafkajs, librdkafka's kcat, the schema-registry client) against the embedded stack.
const { pathsToModuleNameMapper } = require('./test/jest/paths-to-module-name-mapper');
const { compilerOptions } = require('./tsconfig.base.json');

const shared = {
  testEnvironment: 'node',
  // ts-jest in transpile-only mode (isolatedModules): type errors are the typecheck step's job.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, '<rootDir>/'),
  setupFiles: ['<rootDir>/test/jest/env.js'],
};

module.exports = {
  // Per-project testTimeout is ignored by Jest; integration tests need the room (kafkajs waits maxWait on stop).
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/jest/summary-reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/services/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/libs/**/*.integration-spec.ts',
        '<rootDir>/services/**/*.integration-spec.ts',
        '<rootDir>/test/**/*.integration-spec.ts',
      ],
    },
  ],
};
