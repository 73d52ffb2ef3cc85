// Scenario validation with messages a person can act on: parses scenario text (naming the line and
// column of malformed JSON), checks it against ScenarioSchema and turns every zod issue into
// `path: message` (paths read like `handler[1].db.query.mean_ms`), with "did you mean …?" for
// unknown fields. Its parts, in validate/: paths (and the `--set` override), suggestions, the JSON
// text scanner, the nesting depth of steps, what the schema allows at a place, and the wording of
// each problem. Pure: no Node, no DOM.
import { ScenarioSchema, type Scenario } from './schema';
import { stepNestingProblem } from './validate/depth';
import { findJsonError, lineColumn } from './validate/json-text';
import { kindOf, problemsOf, type Problem } from './validate/problems';

export type { Problem };

export type ValidateResult = { ok: true; scenario: Scenario } | { ok: false; problems: Problem[] };

/**
 * Checks a parsed scenario object against the schema. Returns the scenario with defaults filled
 * in, or every problem found (not just the first), each with a readable path.
 */
export function validateScenario(obj: unknown, _label = 'scenario'): ValidateResult {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    return {
      ok: false,
      problems: [{ path: '', message: `a scenario must be a JSON object (got ${kindOf(obj)})` }],
    };
  const deep = stepNestingProblem(obj);
  if (deep) return { ok: false, problems: [deep] };
  const r = ScenarioSchema.safeParse(obj);
  if (r.success) return { ok: true, scenario: r.data };
  const problems = problemsOf(r.error.issues, ScenarioSchema, obj);
  // Keep one line per distinct problem.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { ok: false, problems: unique };
}

/**
 * Parses scenario text (JSON) and validates it. Malformed JSON gives one problem naming the line
 * and column; otherwise the result of `validateScenario`.
 */
export function parseScenarioText(text: string, label = 'scenario'): ValidateResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch (e) {
    const found = findJsonError(text);
    if (body.trim() === '')
      return { ok: false, problems: [{ path: '', message: 'the file is empty (expected JSON)' }] };
    const { line, column } = lineColumn(text, found?.offset ?? 0);
    const what = found?.message ?? (e instanceof Error ? e.message : String(e));
    return {
      ok: false,
      problems: [
        { path: '', message: `malformed JSON at line ${line}, column ${column}: ${what}` },
      ],
    };
  }
  return validateScenario(obj, label);
}

/** One line per problem: `profiles/x.json: workload.rate_rps: must be > 0`. */
export function formatProblems(label: string, problems: readonly Problem[]): string[] {
  return problems.map((p) =>
    p.path ? `${label}: ${p.path}: ${p.message}` : `${label}: ${p.message}`,
  );
}
