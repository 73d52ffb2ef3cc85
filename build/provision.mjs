#!/usr/bin/env node
// What the tests need from the system, installed when missing (`npm test` runs this first, and so
// does .ci/run): Debian's Chromium at /usr/bin/chromium (browser tests), redis-server, redis-cli
// and redis-benchmark (live monitoring against real servers), a CJK font (legible 简体中文
// screenshots), pgbouncer and Prometheus. As root with apt-get: `apt-get update` and `apt-get install` of the
// missing packages. Otherwise: one line with the exact command to run, and exit 1.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each need: the Debian package and how to tell it is there. */
const NEEDS = [
  { pkg: 'chromium', what: '/usr/bin/chromium', ok: () => executable('/usr/bin/chromium') },
  { pkg: 'redis-server', what: 'redis-server', ok: () => onPath('redis-server') },
  {
    pkg: 'redis-tools',
    what: 'redis-cli and redis-benchmark',
    ok: () => onPath('redis-cli') && onPath('redis-benchmark'),
  },
  {
    pkg: 'fonts-wqy-microhei',
    what: 'a CJK font',
    ok: () => readable('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'),
  },
  // Debian installs it in /usr/sbin, which is not on every user's PATH.
  { pkg: 'pgbouncer', what: 'pgbouncer', ok: () => onPath('pgbouncer', ['/usr/sbin']) },
  // A real Prometheus server (and promtool, to backfill history) for the Prometheus source.
  {
    pkg: 'prometheus',
    what: 'a Prometheus server (prometheus and promtool)',
    ok: () => onPath('prometheus') && onPath('promtool'),
  },
];

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readable(file) {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `name` is on the PATH (or in one of `extra`), or null. */
function which(name, extra = []) {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extra].filter(Boolean);
  return dirs.map((dir) => path.join(dir, name)).find(executable) ?? null;
}

const onPath = (name, extra) => which(name, extra) !== null;

/** The needs not met now. */
export function missing() {
  return NEEDS.filter((n) => !n.ok());
}

function run(cmd, args) {
  // apt-get needs dpkg and friends on the PATH even when this one lacks them.
  const PATH = [process.env.PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']
    .filter(Boolean)
    .join(path.delimiter);
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, PATH, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

/** Installs what is missing when it can; returns the exit code (0: everything is there). */
export function provision(log = (line) => process.stderr.write(`${line}\n`)) {
  const need = missing();
  if (need.length === 0) return 0;
  const pkgs = need.map((n) => n.pkg);
  const whats = need.map((n) => n.what).join(', ');
  const apt = which('apt-get', ['/usr/bin']);
  const root = process.getuid?.() === 0;
  if (!apt) {
    log(
      `The tests need ${whats}: install the Debian packages ${pkgs.join(' ')} or their equivalents.`,
    );
    return 1;
  }
  if (!root) {
    log(
      `The tests need ${whats}; install them with: sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`,
    );
    return 1;
  }
  log(`Installing what the tests need (${whats}): apt-get install -y ${pkgs.join(' ')}`);
  if (!run(apt, ['update', '-qq']) || !run(apt, ['install', '-y', '-qq', ...pkgs])) {
    log(`apt-get install -y ${pkgs.join(' ')} failed.`);
    return 1;
  }
  const still = missing();
  if (still.length > 0) {
    log(`Still missing after apt-get install: ${still.map((n) => n.what).join(', ')}.`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = provision();
