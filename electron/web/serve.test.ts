// `peakline serve` as a user runs it: one line with the URL and token on stdout, the API answers
// with that token, Ctrl+C / SIGTERM stops it cleanly; bad options get one clear line.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { parseServeArgs, REPO_ROOT } from './serve';

const CLI = path.join(REPO_ROOT, 'electron', 'bin', 'peakline.mjs');

function runCli(args: string[], home: string) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, PEAKLINE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = once(child, 'exit').then(([code]) => code as number);
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('peakline serve', () => {
  it('prints one URL line, answers with its token, and stops cleanly on SIGTERM', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'peakline-serve-'));
    const run = runCli(['serve', '--port', '0'], home);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        run.child.stdout.on('data', () => {
          if (run.out().includes('\n')) resolve(run.out());
        });
        void run.exited.then((code) => reject(new Error(`exited ${code}: ${run.err()}`)));
      });
      const m =
        /^Peakline console: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43}))\n$/.exec(
          line,
        );
      expect(m, line).not.toBeNull();
      const [, , port, token] = m!;
      const info = await fetch(`http://127.0.0.1:${port}/api/info?token=${token}`);
      expect(info.status).toBe(200);
      expect(await info.json()).toMatchObject({
        shell: 'web',
        profilesDir: path.join(home, 'profiles'),
      });
      expect((await fetch(`http://127.0.0.1:${port}/api/info`)).status).toBe(401);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.out()).toBe(line);
      expect(run.err()).toContain('Stopping the Peakline console (SIGTERM).');
    } finally {
      run.child.kill('SIGKILL');
      await rm(home, { recursive: true, force: true });
    }
  });

  it('explains a bad option in one line', async () => {
    const run = runCli(['serve', '--port', 'eighty'], os.tmpdir());
    expect(await run.exited).toBe(2);
    expect(run.err()).toBe(
      'peakline: serve: --port must be a port number 0..65535 (got "eighty")\n',
    );
    expect(run.out()).toBe('');
  });

  it('reads its options', () => {
    expect(parseServeArgs([])).toEqual({
      port: 0,
      host: '127.0.0.1',
      allowHosts: [],
      help: false,
    });
    expect(
      parseServeArgs(['--port=8080', '--host', '0.0.0.0', '--allow-host', 'box.lan', '--no-build']),
    ).toEqual({
      port: 8080,
      host: '0.0.0.0',
      allowHosts: ['box.lan'],
      help: false,
    });
    expect(() => parseServeArgs(['--host'])).toThrow('serve: --host needs a value');
    expect(() => parseServeArgs(['--open'])).toThrow('serve: unknown option "--open"');
  });
});
