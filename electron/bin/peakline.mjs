#!/usr/bin/env node
// The `peakline` command: runs the compiled CLI, out/main/cli.js (`npm run build` makes it, and
// `npm install` runs that build). A build older than its sources never runs: when a file it was
// made from has changed since, this says so in one line with the command to run, and stops.
import { buildProblem } from '../../build/stamp.mjs';

const args = process.argv.slice(2);
// `serve` serves the built UI as well.
const problem = buildProblem(args[0] === 'serve' ? ['main', 'renderer'] : ['main']);
if (problem) {
  process.stderr.write(`peakline: ${problem}\n`);
  process.exitCode = 1;
} else {
  const { main } = await import('../../out/main/cli.js');
  process.exitCode = await main(args);
}
