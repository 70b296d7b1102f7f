#!/usr/bin/env node
// The `dynamis` command: runs the built CLI (dist/main.js). This shim is
// committed so that npm can link the bin at install time, before any build
// (npm skips a bin whose file does not exist yet); `npm run build` makes dist.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`dynamis is not built (${main} is missing): run \`npm run build\` at the repository root first\n`);
  process.exit(3);
}
require(main);
