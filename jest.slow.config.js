const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/packages/*/{src,test}/**/*.slow.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 600000,
};
