// Against MySQL every suite reseeds the same per-subgraph schemas, so suites run one at a time;
// on the embedded database each suite has its own databases (in memory, or in a temporary DATA_DIR)
// and runs in parallel.
const onMySql = Object.keys(process.env).some((key) => key.endsWith('_DATABASE_URL') && process.env[key]);

/** Type checking is `tsc --noEmit` in `npm test`; jest only transpiles, so suites start fast. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/helpers/environment.ts'],
  maxWorkers: onMySql ? 1 : '50%',
};
