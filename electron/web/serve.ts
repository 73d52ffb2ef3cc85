// `peakline serve [--port N] [--host H] [--allow-host NAME ...]`: the web console. Serves the
// built UI (out/renderer; the bin makes sure it is up to date), starts the web shell with a fresh
// access token, prints ONE line with the URL on stdout and runs until SIGINT / SIGTERM, then
// closes cleanly.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiHandler } from '../api/handler';
import { ProfileStore, defaultUserProfilesDir } from '../profiles/store';
import { packageVersion } from '../version';
import { newToken } from './security';
import { startWebServer, type RunningWebServer } from './server';

/** The repository root (where package.json is). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the built console UI lives (`npm run build`). */
export const DIST_DIR = path.join(REPO_ROOT, 'out', 'renderer');

export interface ServeArgs {
  port: number;
  host: string;
  allowHosts: string[];
  help: boolean;
}

export const SERVE_USAGE = `Usage: peakline serve [--port N] [--host H] [--allow-host NAME ...]

Serves the Peakline console on http://127.0.0.1 (a free port unless --port is given) and prints
its URL with a random access token. Requests without the token, from another site (Origin) or
under another host name (Host) are refused. --host 0.0.0.0 listens on every interface (then any
IP address is accepted as Host, names only with --allow-host). Stop with Ctrl+C.`;

/** Reads the serve command's arguments; throws with a one-line message on a bad one. */
export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const out: ServeArgs = { port: 0, host: '127.0.0.1', allowHosts: [], help: false };
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
        // serve never builds now (the bin checks the build); kept so that scripts still run
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

/** Starts the web console (store, live service, handler, server); the caller prints and stops it. */
export async function startConsole(args: Pick<ServeArgs, 'port' | 'host' | 'allowHosts'>): Promise<{
  server: RunningWebServer;
  stop: () => Promise<void>;
}> {
  const store = new ProfileStore({ userDir: defaultUserProfilesDir() });
  const { LiveService } = await import('../live/service');
  const live = new LiveService();
  const { planWorkers } = await import('../queue/plan-workers');
  const handler = createApiHandler({
    shell: 'web',
    version: packageVersion(),
    store,
    live,
    planWorkers,
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
