const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/packages/*/{src,test}/**/*.slow.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 600000,
  // One at a time: each slow suite loads the machine on its own (a fresh clone's npm ci, long soaks).
  maxWorkers: 1,
};
