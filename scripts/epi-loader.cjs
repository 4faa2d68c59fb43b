#!/usr/bin/env node
'use strict';
// dist/epi.cjs, written by scripts/build.mjs from scripts/epi-loader.cjs: the bin. It starts the
// CLI (dist/epi-main.cjs) with V8's code cache (dist/code-cache.cjs says how and why).
require('./code-cache.cjs').load(require('node:path').join(__dirname, 'epi-main.cjs'), 'epi');
