// The project's import graph, read with the TypeScript parser: finds import cycles among our own
// modules (what `import/no-cycle` would do; that plugin's native resolver has no build for most
// platforms in this registry, so `npm ci` could not install it) and lists what each file imports,
// so tests can hold the layer rules of DESIGN.md (sim-core imports nothing of Node or the DOM).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const SKIP = new Set(['node_modules', 'dist', '.git', '.scratch', '.ci', 'coverage']);

/** One import edge: the specifier as written, the file it resolves to (our own files only). */
export interface ImportEdge {
  specifier: string;
  target: string | null;
  typeOnly: boolean;
}

/** Lists the source files below `dir` (skipping builds, dependencies and dot folders). */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveRelative(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs)$/, '');
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    `${base}.mjs`,
    `${base}.js`,
  ];
  candidates.push(join(base, 'index.ts'), join(base, 'index.tsx'));
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** The static imports and re-exports of one file (dynamic `import()` is left out: it breaks no load order). */
export function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      const specifier = statement.moduleSpecifier.text;
      edges.push({ specifier, target: resolveRelative(file, specifier), typeOnly });
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      const specifier = statement.moduleSpecifier.text;
      edges.push({
        specifier,
        target: resolveRelative(file, specifier),
        typeOnly: statement.isTypeOnly,
      });
    }
  }
  return edges;
}

/** Finds every cycle of runtime imports among the files below `root`, as lists of relative paths. */
export function findImportCycles(root: string): string[][] {
  const files = sourceFiles(root);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    graph.set(
      f,
      importsOf(f)
        .filter((e) => !e.typeOnly && e.target)
        .map((e) => e.target as string),
    );
  }
  // Tarjan's strongly connected components; a component of two or more files is a cycle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(relative(root, w));
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return cycles;
}
