// The build as a user meets it: `peakline` runs the compiled CLI, and a build older than its
// sources never runs silently — the bin names the changed file and the one command to run. And
// what ships: the build is made of the product's sources only (no tests, no test helpers), and
// imports nothing at run time but Node, Electron and the runtime dependencies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { builtinModules } from 'node:module';
import { appendFile, cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function node(script: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('a checkout whose sources changed after the build', () => {
  // A copy of the parts a user runs: the bin, the stamp check, the built CLI (the build this
  // project's global set-up made), package.json and node_modules; its stamp names one source.
  let co: string;
  const bin = () => path.join(co, 'electron', 'bin', 'peakline.mjs');
  const source = () => path.join(co, 'electron', 'cli', 'main.ts');
  const stamp = async (part: string, files: string[]) => {
    const mod = (await import(pathToFileURL(path.join(co, 'build', 'stamp.mjs')).href)) as {
      writeStamp: (part: string, files: string[]) => void;
    };
    mod.writeStamp(part, files);
  };

  beforeAll(async () => {
    co = await mkdtemp(path.join(os.tmpdir(), 'peakline-checkout-'));
    for (const rel of ['electron/bin/peakline.mjs', 'build/stamp.mjs', 'electron/cli/main.ts'])
      await cp(path.join(root, rel), path.join(co, rel));
    await cp(path.join(root, 'out', 'main'), path.join(co, 'out', 'main'), { recursive: true });
    await cp(path.join(root, 'package.json'), path.join(co, 'package.json'));
    await symlink(path.join(root, 'node_modules'), path.join(co, 'node_modules'), 'dir');
    await stamp('main', [source()]);
  });
  afterAll(async () => {
    await rm(co, { recursive: true, force: true });
  });

  it('runs the build while it matches its sources', async () => {
    expect(await node(bin(), ['--version'])).toEqual({
      code: 0,
      stdout: `peakline ${pkg.version}\n`,
      stderr: '',
    });
  });

  it('refuses a build older than a source, naming it and the command to run', async () => {
    await appendFile(source(), '\n// edited after the build\n');
    expect(await node(bin(), ['run', 'profiles/seed-sync-baseline.json'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'peakline: the build is out of date (electron/cli/main.ts changed); run: npm run build\n',
    });
    await stamp('main', [source()]); // as `npm run build` would
    expect((await node(bin(), ['--version'])).code).toBe(0);
  });

  it('says when there is no build at all, and that serve needs the UI built too', async () => {
    expect(await node(bin(), ['serve'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'peakline: not built yet (out/renderer is missing); run: npm run build\n',
    });
    await rm(path.join(co, 'out', '.stamps'), { recursive: true });
    expect(await node(bin(), ['--version'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'peakline: not built yet (out/main is missing); run: npm run build\n',
    });
  });
});

describe('what the build ships', () => {
  const stampOf = async (part: string) =>
    Object.keys(
      (
        JSON.parse(await readFile(path.join(root, 'out', '.stamps', `${part}.json`), 'utf8')) as {
          inputs: Record<string, unknown>;
        }
      ).inputs,
    );

  it('is made of the product sources: the CLI, the main process and the UI, no test code', async () => {
    const main = await stampOf('main');
    expect(main).toEqual(
      expect.arrayContaining([
        'electron/cli/main.ts',
        'electron/main/index.ts',
        'electron/sweep/worker.ts',
        'sim-core/model.ts',
      ]),
    );
    const renderer = await stampOf('renderer');
    expect(renderer).toEqual(
      // The simulation's Web Worker is a bundle of its own; its modules count too.
      expect.arrayContaining([
        'renderer/main.tsx',
        'renderer/index.html',
        'renderer/sim/worker.ts',
      ]),
    );
    const preload = await stampOf('preload');
    expect(preload).toEqual(expect.arrayContaining(['electron/preload/index.ts']));
    const testCode = [...main, ...renderer, ...preload].filter((f) =>
      /\.(test|e2e)\.tsx?$|testkit|testing\.ts$|\/e2e\//.test(f),
    );
    expect(testCode).toEqual([]);
  });

  it('imports only Node, Electron and the runtime dependencies when it runs', async () => {
    const dir = path.join(root, 'out', 'main');
    const imported = new Set<string>();
    for (const f of await readdir(dir)) {
      if (!f.endsWith('.js')) continue;
      const code = await readFile(path.join(dir, f), 'utf8');
      const statics = /^(?:import|export)\b[^;\n]*?\bfrom\s*"([^"]+)"|^import\s*"([^"]+)"/gm;
      const dynamics = /\bimport\(\s*"([^"]+)"\s*\)/g;
      for (const m of [...code.matchAll(statics), ...code.matchAll(dynamics)]) {
        const spec = m[1] ?? m[2];
        if (!spec.startsWith('.')) imported.add(spec);
      }
    }
    const bare = (spec: string) =>
      spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    const allowed = new Set([...Object.keys(pkg.dependencies), 'electron']);
    const node = new Set(builtinModules);
    const outside = [...imported].filter(
      (spec) => !spec.startsWith('node:') && !node.has(spec) && !allowed.has(bare(spec)),
    );
    expect(outside).toEqual([]);
    // The CLI and the desktop shell do use them (the check above is not vacuous).
    expect([...imported].map(bare)).toEqual(
      expect.arrayContaining(['ioredis', 'systeminformation', 'electron']),
    );
  });
});
