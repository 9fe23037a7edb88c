#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm run build`, run by `prepare` on `npm ci`).
import { run } from '../dist/cli/main.js';

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`filet: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
