// `npm start` where the Electron binary could not be downloaded (this machine): one line saying
// why, then the web console with its URL, stopped cleanly by Ctrl+C.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const START = fileURLToPath(new URL('./start.mjs', import.meta.url));

async function start(args: string[], env: Record<string, string> = {}) {
  const home = await mkdtemp(path.join(os.tmpdir(), 'peakline-start-'));
  const child = spawn(process.execPath, [START, ...args], {
    env: { ...process.env, PEAKLINE_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = once(child, 'exit').then(([code]) => code as number);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => out.includes('\n') && resolve(out));
    void exited.then((code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  return {
    child,
    exited,
    url,
    err: () => err,
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

describe('npm start without the Electron binary', () => {
  it('says why in one line and serves the web console instead', async () => {
    const s = await start(['--port', '0'], {
      ELECTRON_OVERRIDE_DIST_PATH: path.join(os.tmpdir(), 'no-electron-here'),
    });
    try {
      expect(s.url).toMatch(/^Peakline console: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}\n$/);
      expect(s.err().split('\n')[0]).toBe(
        'Electron binary not installed (no network at install time); serving the web console instead.',
      );
      const port = /:(\d+)\//.exec(s.url)![1];
      const token = /token=([\w-]+)/.exec(s.url)![1];
      expect((await fetch(`http://127.0.0.1:${port}/api/info?token=${token}`)).status).toBe(200);
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
      await s.cleanup();
    }
  });

  it('serves the web console when asked with --web', async () => {
    const s = await start(['--web']);
    try {
      expect(s.err().split('\n')[0]).toBe('Serving the web console (--web).');
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
      await s.cleanup();
    }
  });
});
