// `npm test` first provisions what the tests need (build/provision.mjs, also run by .ci/run). A
// user who cannot install packages gets one line with the exact command, and nothing else happens.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../build/provision.mjs', import.meta.url));
const NOBODY = 65534;

describe('provisioning for the tests', () => {
  // Only root can run it as another user; the suite runs as root on the machines it targets.
  it.skipIf(process.getuid?.() !== 0)(
    'tells a user without root the one command to run for what is missing',
    async () => {
      // As `nobody`, with a PATH on which there is no redis-server, redis-cli, redis-benchmark,
      // prometheus or promtool.
      // `nobody` may not read the checkout (a clone in a 0700 temp folder): run a copy it can read.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-provision-'));
      chmodSync(dir, 0o755);
      const copy = path.join(dir, 'provision.mjs');
      copyFileSync(script, copy);
      chmodSync(copy, 0o644);
      const ran = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [copy],
          { uid: NOBODY, gid: NOBODY, cwd: os.tmpdir(), env: { PATH: '/nonexistent' } },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        ),
      );
      expect(ran).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'The tests need redis-server, redis-cli and redis-benchmark, a Prometheus server ' +
          '(prometheus and promtool); install them with: ' +
          'sudo apt-get update && sudo apt-get install -y redis-server redis-tools prometheus\n',
      });
    },
  );
});
