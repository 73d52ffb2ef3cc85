#!/usr/bin/env node
// `npm run dist` step one: builds the console UI (renderer/dist) and bundles the sandboxed preload
// (out/electron/preload.cjs), the two generated pieces electron-builder packs.
import { register } from 'tsx/esm/api';

register();
const { buildUi } = await import('../electron/web/serve.ts');
const { bundlePreload } = await import('../electron/main/bundle.ts');
await buildUi();
const preload = await bundlePreload();
process.stderr.write(`Bundled the preload to ${preload}.\n`);
