// Default test run: unit (*.spec.ts) and integration (*.int.spec.ts) suites.
// Slow suites (*.slow.spec.ts) are opt-in: `npm run test:slow`.
// Workspace packages resolve to their TypeScript sources, so tests need no build.
const swcConfig = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swcConfig] },
  moduleNameMapper: {
    '^@dynamis/testkit/sim$': '<rootDir>/packages/testkit/src/sim/index.ts',
    '^@dynamis/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testMatch: ['<rootDir>/packages/*/{src,test}/**/*.spec.ts', '<rootDir>/examples/*/{src,test}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.slow\\.spec\\.ts$'],
  setupFiles: ['reflect-metadata'],
  // Generous: the suite must pass on a loaded 2-core box, where CPU-bound simulations and model checks run several
  // times slower than on a quiet one (seen: 30 s exceeded at load 20). A hung test still fails, just later.
  testTimeout: 120_000,
  // Two suites at a time on the 2-core box (Jest's default there is one: cores - 1). Most suites are CPU-bound
  // simulations or wait on child processes; two at once roughly halve the run, and every test already tolerates a
  // loaded machine (virtual time, or generous deadlines on events). Override with `npm test -- --maxWorkers=1`.
  maxWorkers: 2,
};
