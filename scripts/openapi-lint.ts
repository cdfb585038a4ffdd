// Lints docs/openapi.json with Redocly's `recommended` ruleset (`npm run openapi:lint`), through
// @redocly/openapi-core: the engine `redocly lint` runs, without the CLI's download.
import { OPENAPI_FILE } from "./openapi";

export interface LintProblem {
  rule: string;
  severity: string;
  /** JSON pointers into the document, e.g. `#/paths/~1messages/get`. */
  location: string;
  message: string;
}

export async function lintOpenApi(file = OPENAPI_FILE): Promise<LintProblem[]> {
  const { createConfig, lint } = await import("@redocly/openapi-core");
  const config = await createConfig({ extends: ["recommended"] });
  const problems = await lint({ ref: file, config });
  return problems.map((p) => ({ rule: p.ruleId, severity: p.severity, location: p.location.map((l) => l.pointer ?? "").join(", "), message: p.message }));
}

export const formatLintProblem = (p: LintProblem) => `${p.severity} ${p.rule} at ${p.location}: ${p.message}`;

if (require.main === module) {
  lintOpenApi().then((problems) => {
    for (const p of problems) console.error(formatLintProblem(p));
    console.log(problems.length === 0 ? `${OPENAPI_FILE}: no problems (Redocly recommended)` : `${problems.length} problem(s)`);
    process.exit(problems.length === 0 ? 0 : 1);
  });
}
