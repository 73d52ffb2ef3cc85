// `peakline serve [--port N] [--host H] [--allow-host NAME ...] [--no-build]`: the web console.
// Builds the UI first when renderer/dist is missing or older than its sources (saying so on
// stderr), starts the web shell with a fresh access token, prints ONE line with the URL on stdout
// and runs until SIGINT / SIGTERM, then closes cleanly.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adaptLiveService } from '../api/live-adapter';
import { createApiHandler } from '../api/handler';
import { ProfileStore, defaultUserProfilesDir } from '../profiles/store';
import { packageVersion } from '../version';
import { newToken } from './security';
import { startWebServer, type RunningWebServer } from './server';

/** The repository root (where package.json is). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RENDERER_DIR = path.join(REPO_ROOT, 'renderer');
/** Where the built console UI lives. */
export const DIST_DIR = path.join(RENDERER_DIR, 'dist');

export interface ServeArgs {
  port: number;
  host: string;
  allowHosts: string[];
  build: boolean;
  help: boolean;
}

export const SERVE_USAGE = `Usage: peakline serve [--port N] [--host H] [--allow-host NAME ...] [--no-build]

Serves the Peakline console on http://127.0.0.1 (a free port unless --port is given) and prints
its URL with a random access token. Requests without the token, from another site (Origin) or
under another host name (Host) are refused. --host 0.0.0.0 listens on every interface (then any
IP address is accepted as Host, names only with --allow-host). Stop with Ctrl+C.`;

/** Reads the serve command's arguments; throws with a one-line message on a bad one. */
export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const out: ServeArgs = { port: 0, host: '127.0.0.1', allowHosts: [], build: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`serve: ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535)
          throw new Error(`serve: --port must be a port number 0..65535 (got "${v}")`);
        out.port = n;
        break;
      }
      case '--host':
        out.host = value();
        break;
      case '--allow-host':
        out.allowHosts.push(value());
        break;
      case '--no-build':
        out.build = false;
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new Error(`serve: unknown option "${a}" (see peakline serve --help)`);
    }
  }
  return out;
}

async function newestMtime(dir: string, skip: (rel: string) => boolean, rel = ''): Promise<number> {
  let newest = 0;
  const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const r = path.join(rel, e.name);
    if (skip(r)) continue;
    if (e.isDirectory()) newest = Math.max(newest, await newestMtime(dir, skip, r));
    else if (e.isFile()) newest = Math.max(newest, (await fs.stat(path.join(dir, r))).mtimeMs);
  }
  return newest;
}

/** Why the UI must be (re)built, or null when renderer/dist is up to date. */
export async function uiBuildReason(
  distDir = DIST_DIR,
  rendererDir = RENDERER_DIR,
): Promise<string | null> {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) return `${path.relative(REPO_ROOT, index) || index} is missing`;
  const built = (await fs.stat(index)).mtimeMs;
  const isTest = (r: string) => /\.(test|e2e)\.[tj]sx?$/.test(r);
  const skipRenderer = (r: string) =>
    r === 'dist' || r === 'e2e' || r === 'node_modules' || isTest(r);
  const newest = Math.max(
    await newestMtime(rendererDir, skipRenderer),
    await newestMtime(path.join(REPO_ROOT, 'sim-core'), isTest),
  );
  return newest > built ? 'renderer/dist is older than the UI sources' : null;
}

/** Builds the console UI with Vite (the UI engineer's renderer/vite.config.ts). */
export async function buildUi(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<void> {
  const configFile = path.join(RENDERER_DIR, 'vite.config.ts');
  if (!existsSync(configFile))
    throw new Error('cannot build the console UI: renderer/vite.config.ts is missing');
  const { build } = await import('vite');
  const started = Date.now();
  await build({ configFile, logLevel: 'warn' });
  log(`Built the console UI in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** Starts the web console (store, live service, handler, server); the caller prints and stops it. */
export async function startConsole(args: Pick<ServeArgs, 'port' | 'host' | 'allowHosts'>): Promise<{
  server: RunningWebServer;
  stop: () => Promise<void>;
}> {
  const store = new ProfileStore({ userDir: defaultUserProfilesDir() });
  const { LiveService } = await import('../live/service');
  const live = new LiveService();
  const handler = createApiHandler({
    shell: 'web',
    version: packageVersion(),
    store,
    live: adaptLiveService(live),
  });
  const server = await startWebServer({
    handler,
    token: newToken(),
    distDir: DIST_DIR,
    host: args.host,
    port: args.port,
    allowHosts: args.allowHosts,
  });
  return {
    server,
    stop: async () => {
      handler.dispose();
      await Promise.all([server.close(), live.close()]);
    },
  };
}

/** The `serve` command: returns the exit code once stopped by SIGINT / SIGTERM. */
export async function serveCommand(argv: string[]): Promise<number> {
  let args: ServeArgs;
  try {
    args = parseServeArgs(argv);
  } catch (e) {
    process.stderr.write(`peakline: ${(e as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  if (args.build) {
    const reason = await uiBuildReason();
    if (reason) {
      process.stderr.write(`Building the console UI first (${reason})…\n`);
      try {
        await buildUi();
      } catch (e) {
        process.stderr.write(`peakline: building the console UI failed: ${(e as Error).message}\n`);
        return 1;
      }
    }
  }
  let running: Awaited<ReturnType<typeof startConsole>>;
  try {
    running = await startConsole(args);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EADDRINUSE'
        ? `port ${args.port} on ${args.host} is already in use (try --port 0 for a free one)`
        : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
          ? `cannot listen on host "${args.host}"`
          : err.message;
    process.stderr.write(`peakline: serve: ${why}\n`);
    return 1;
  }
  // Handlers first, then the URL: whoever reads the URL may stop us at once.
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stderr.write(`Stopping the Peakline console (${signal}).\n`);
      void running.stop().then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write(`Peakline console: ${running.server.url}\n`);
  if (args.host !== '127.0.0.1' && args.host !== 'localhost' && args.host !== '::1')
    process.stderr.write(
      `Listening on ${args.host}: anyone who can reach this port and has the token can use the console.\n`,
    );
  return stopped;
}
