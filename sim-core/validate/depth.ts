// How deep steps may nest (a `lock` or `transaction` inside another), checked before the schema
// parses a scenario: the schema is recursive, so a scenario nested thousands deep (a generated or
// hostile file) would otherwise end in "Maximum call stack size exceeded". The walk here is a loop,
// so any depth is measured without recursion, and the first step past the limit is named by path.
import { formatPath, type PathSeg } from './paths';

/** Most steps nested inside one another (a lock in a lock in a transaction … counts 3). */
export const MAX_STEP_DEPTH = 32;

/** The first step nested deeper than MAX_STEP_DEPTH, as a validation problem; null when none. */
export function stepNestingProblem(obj: unknown): { path: string; message: string } | null {
  if (obj === null || typeof obj !== 'object') return null;
  const root = obj as { handler?: unknown; async?: { steps?: unknown } };
  const stack: { steps: unknown; path: PathSeg[]; depth: number }[] = [
    { steps: root.handler, path: ['handler'], depth: 1 },
    { steps: root.async?.steps, path: ['async', 'steps'], depth: 1 },
  ];
  while (stack.length > 0) {
    const { steps, path, depth } = stack.pop()!;
    if (!Array.isArray(steps)) continue;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as Record<string, { steps?: unknown } | undefined> | null;
      if (step === null || typeof step !== 'object') continue;
      for (const kind of ['lock', 'transaction'] as const) {
        const inner = step[kind]?.steps;
        if (!Array.isArray(inner) || inner.length === 0) continue;
        if (depth + 1 > MAX_STEP_DEPTH)
          return {
            path: formatPath([...path, i, kind, 'steps']),
            message: `nested too deep: steps may nest ${MAX_STEP_DEPTH} levels (lock and transaction steps inside one another); these are level ${MAX_STEP_DEPTH + 1}`,
          };
        stack.push({ steps: inner, path: [...path, i, kind, 'steps'], depth: depth + 1 });
      }
    }
  }
  return null;
}
