// Entry of the Electron main process (package.json "main"). Registers the app:// scheme while
// that is still allowed (before "ready"), then loads the TypeScript main module through tsx.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry */
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { protocol } = require('electron');

protocol.registerSchemesAsPrivileged([
  {
    scheme: 'app',
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
]);

(async () => {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.join(__dirname, 'index.ts')).href);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
