#!/usr/bin/env node
// The `peakline` command: registers tsx so the TypeScript sources run as they are (no build step
// to remember after `npm install`), then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
