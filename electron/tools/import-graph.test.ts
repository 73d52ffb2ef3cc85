// The code keeps its shape: no import cycles anywhere, and each layer imports only what DESIGN.md
// allows (sim-core nothing of Node, Electron, React or the DOM; the renderer no Node or Electron,
// and only types from the Node side); and it is one app: one API contract, one store, one
// dictionary, one number formatter in the UI.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findImportCycles, importsOf, sourceFiles } from './import-graph';

const root = resolve(import.meta.dirname, '../..');
const temp = mkdtempSync(join(tmpdir(), 'peakline-imports-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('the import graph', () => {
  it('finds a cycle when two modules import each other, and not when one only imports types', () => {
    mkdirSync(join(temp, 'a'));
    writeFileSync(
      join(temp, 'a/one.ts'),
      "import { two } from './two';\nexport const one = two + 1;\n",
    );
    writeFileSync(
      join(temp, 'a/two.ts'),
      "import { one } from './one';\nexport const two = () => one;\n",
    );
    writeFileSync(
      join(temp, 'a/three.ts'),
      "import type { Four } from './four';\nexport type Three = Four;\n",
    );
    writeFileSync(
      join(temp, 'a/four.ts'),
      "import { x } from './three';\nexport type Four = number;\nexport const y = x;\n",
    );
    expect(findImportCycles(temp)).toEqual([['a/one.ts', 'a/two.ts']]);
  });

  it('has no import cycles in the project', () => {
    expect(findImportCycles(join(root, 'sim-core'))).toEqual([]);
    expect(findImportCycles(join(root, 'electron'))).toEqual([]);
    expect(findImportCycles(join(root, 'renderer'))).toEqual([]);
  });

  it('keeps sim-core free of Node, Electron, React and the DOM', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'sim-core'))) {
      if (file.endsWith('.test.ts')) continue;
      const testHelper = file.endsWith('testkit.ts'); // used by tests only; may use fast-check
      for (const edge of importsOf(file)) {
        const own = edge.target && relative(join(root, 'sim-core'), edge.target).startsWith('..');
        const allowed = edge.specifier === 'zod' || (testHelper && edge.specifier === 'fast-check');
        const external = !edge.specifier.startsWith('.') && !allowed;
        if (own || external) offenders.push(`${relative(root, file)} imports ${edge.specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps the simulation worker free of the store (types included)', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const edge of importsOf(file)) if (edge.target) visit(edge.target);
    };
    visit(join(root, 'renderer', 'sim', 'worker.ts'));
    const store = [...seen]
      .map((f) => relative(root, f))
      .filter((f) => f.startsWith(join('renderer', 'store')));
    expect(store).toEqual([]);
  });

  it('lets the renderer take only types (and the channel tables) from the Node side', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'renderer'))) {
      if (file.includes(`${join('renderer', 'e2e')}`)) continue;
      for (const edge of importsOf(file)) {
        // The method → channel tables are plain data (they import only types themselves).
        const sharedData = edge.target === join(root, 'electron', 'api', 'channels.ts');
        const nodeSide =
          edge.target && relative(root, edge.target).startsWith('electron') && !sharedData;
        const nodeModule = /^(node:|electron$|ioredis$|ws$|systeminformation$)/.test(
          edge.specifier,
        );
        if ((nodeSide && !edge.typeOnly) || nodeModule)
          offenders.push(`${relative(root, file)} imports ${edge.specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('is one app: one contract, one store, one dictionary, one number formatter in the UI', () => {
    const ours = (dir: string) =>
      sourceFiles(join(root, dir)).filter((f) => !/\.(test|e2e)\.tsx?$/.test(f));
    const files = [...ours('electron'), ...ours('renderer')];
    const rel = (f: string) => relative(root, f).split(sep).join('/');
    // No second contract (live monitoring's is part of the one), no second dictionary.
    expect(files.map(rel).filter((f) => /(^|\/)contract\.ts$/.test(f))).toEqual([
      'electron/api/contract.ts',
    ]);
    expect(files.map(rel).filter((f) => /(^|\/)i18n\.tsx?$/.test(f))).toEqual(['renderer/i18n.ts']);
    // Only the store module makes a zustand store; the rest take types and hooks.
    const makers = files.filter((f) =>
      importsOf(f).some((e) => /^zustand(\/vanilla)?$/.test(e.specifier) && !e.typeOnly),
    );
    expect(makers.map(rel)).toEqual(['renderer/store/index.ts']);
    // Numbers on screen go through renderer/format.ts (toFixed and toPrecision also round
    // numbers for computing, so only the locale formatters are looked for).
    const formatting = ours('renderer').filter((f) =>
      /Intl\.NumberFormat|\.toLocaleString\(/.test(readFileSync(f, 'utf8')),
    );
    expect(formatting.map(rel)).toEqual(['renderer/format.ts']);
  });
});
