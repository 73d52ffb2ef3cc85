// Entry of the Electron main process (package.json "main"). Registers the app:// scheme while
// that is still allowed (before "ready"), then loads the TypeScript main module through tsx.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry */
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { app, protocol } = require('electron');

protocol.registerSchemesAsPrivileged([
  {
    scheme: 'app',
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
]);

// macOS delivers the file a user double-clicked through "open-file", possibly before the main
// module below has loaded: keep those until it takes over (see index.ts).
const early = { files: [], handler: null };
early.handler = (event, file) => {
  event.preventDefault();
  early.files.push(file);
};
app.on('open-file', early.handler);
globalThis.__peaklineEarlyOpenFiles = early;

(async () => {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.join(__dirname, 'index.ts')).href);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
