#!/usr/bin/env node
// `npm run fidelity` (which builds first): runs the fidelity suite compiled to
// out/main/fidelity.js, and only a build that is up to date with its sources.
import { buildProblem } from '../../build/stamp.mjs';

const problem = buildProblem(['main']);
if (problem) {
  process.stderr.write(`fidelity: ${problem}\n`);
  process.exitCode = 1;
} else {
  const { main } = await import('../../out/main/fidelity.js');
  process.exitCode = await main(process.argv.slice(2));
}
