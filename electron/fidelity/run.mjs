#!/usr/bin/env node
// `npm run fidelity`: registers tsx like the `peakline` bin, then runs the fidelity suite.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
