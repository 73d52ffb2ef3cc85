// What waking a process on another core costs on the measuring machine, measured on its own (not
// fitted): on a virtual machine an idle vCPU halts, and a process woken onto it waits until the
// hypervisor runs that vCPU again. Two processes play ping-pong over two pipes (FIFOs in a temp
// folder), each spinning a fixed time per hop — `clientMs` and `serverMs`, about what pgbench and
// PostgreSQL spend per statement — first pinned to one core (each wakes the other on its own core),
// then to two (each wakes the other on a core that sat idle while it ran), alternately. A hop's
// extra cost on two cores is half the difference of the round trips. The model's host.wake is made
// from it (main.ts: measuredWake, seriesBase).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './stats';

/** What the probe measured: the round trip on one core and on two, and a hop's extra on two. */
export interface WakeFigures {
  /** Half the difference of the round trips: what a wake onto an idle core adds to a hop, ms. */
  hop_ms: number;
  same_rt_ms: number;
  cross_rt_ms: number;
  /** Each side's spin per hop, ms: [client, server]. */
  spin_ms: [number, number];
  /** Rounds of each placement (the medians above are over them). */
  rounds: number;
}

// one side of the ping-pong: open the FIFOs (the client writes first), then per hop wait for a
// byte, spin, send one; the client times `seconds` of round trips and prints their mean
const SIDE = String.raw`
const fs = require('node:fs');
const [role, a, b, spin, seconds] = process.argv.slice(1);
const spinNs = BigInt(Math.round(Number(spin) * 1e6));
const buf = Buffer.alloc(1);
const spinFor = () => { const end = process.hrtime.bigint() + spinNs; while (process.hrtime.bigint() < end); };
if (role === 'client') {
  const out = fs.openSync(a, 'w'), inp = fs.openSync(b, 'r');
  const hop = () => { spinFor(); fs.writeSync(out, buf); fs.readSync(inp, buf, 0, 1, null); };
  for (let i = 0; i < 50; i++) hop();
  let n = 0;
  const t0 = process.hrtime.bigint(), until = t0 + BigInt(Math.round(Number(seconds) * 1e9));
  let t = t0;
  while (t < until) { hop(); n++; t = process.hrtime.bigint(); }
  process.stdout.write(String(Number(t - t0) / 1e6 / n));
  fs.closeSync(out);
} else {
  const inp = fs.openSync(a, 'r'), out = fs.openSync(b, 'w');
  while (fs.readSync(inp, buf, 0, 1, null) === 1) { spinFor(); fs.writeSync(out, buf); }
}
`;

/** Whether the probe can run here: two CPUs or more, `taskset` and `mkfifo`. */
export function wakeProbeAvailable(): boolean {
  if (os.cpus().length < 2) return false;
  return ['taskset', 'mkfifo'].every(
    (c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0,
  );
}

/** One round: the mean round trip (ms) with the client on CPU 0 and the server on `serverCpu`. */
function round(dir: string, serverCpu: number, spin: [number, number], seconds: number) {
  const a = path.join(dir, `a${serverCpu}`);
  const b = path.join(dir, `b${serverCpu}`);
  rmSync(a, { force: true });
  rmSync(b, { force: true });
  for (const f of [a, b])
    if (spawnSync('mkfifo', [f]).status !== 0) throw new Error(`wake probe: mkfifo ${f} failed`);
  const side = (cpu: number, role: string, s: number) =>
    spawn(
      'taskset',
      ['-c', String(cpu), process.execPath, '-e', SIDE, role, a, b, String(s), String(seconds)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  const server = side(serverCpu, 'server', spin[1]);
  const client = side(0, 'client', spin[0]);
  return new Promise<number>((resolve, reject) => {
    let out = '';
    let errText = '';
    client.stdout.on('data', (d: Buffer) => (out += d.toString()));
    client.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    client.on('error', reject);
    client.on('close', (code) => {
      // the server ends when the client closes its end; kill it by PID if it does not
      const t = setTimeout(() => server.kill('SIGKILL'), 2000);
      server.on('close', () => clearTimeout(t));
      const rt = Number(out);
      if (code !== 0 || !(rt > 0))
        reject(new Error(`wake probe: client exited ${code}: ${errText.trim() || out}`));
      else resolve(rt);
    });
  });
}

/**
 * Times the ping-pong `rounds` times on one core and on two, alternately (`seconds` each), and
 * returns the medians. Its FIFOs live in a temp folder that is removed.
 */
export async function probeWake(
  o: { spin?: [number, number]; rounds?: number; seconds?: number } = {},
): Promise<WakeFigures> {
  const spin = o.spin ?? [0.1, 0.4];
  const rounds = o.rounds ?? 3;
  const seconds = o.seconds ?? 1.5;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-wake-'));
  try {
    const same: number[] = [];
    const cross: number[] = [];
    for (let r = 0; r < rounds; r++) {
      same.push(await round(dir, 0, spin, seconds));
      cross.push(await round(dir, 1, spin, seconds));
    }
    const s = median(same);
    const c = median(cross);
    const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
    return {
      hop_ms: r6(Math.max(0, (c - s) / 2)),
      same_rt_ms: r6(s),
      cross_rt_ms: r6(c),
      spin_ms: spin,
      rounds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
