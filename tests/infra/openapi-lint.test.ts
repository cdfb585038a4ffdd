// docs/openapi.json passes Redocly's `recommended` ruleset, warnings included (what
// `npx @redocly/cli lint docs/openapi.json` reports).
import test from "ava";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatLintProblem, lintOpenApi } from "../../scripts/openapi-lint";
import { renderOpenApi } from "../../scripts/openapi";

test("docs/openapi.json has no problems under Redocly's recommended rules", async (t) => {
  const problems = await lintOpenApi();
  t.deepEqual(problems.map(formatLintProblem), []);
});

test("the lint sees what it should: an operation without security and a document without a license are reported", async (t) => {
  const doc = JSON.parse(renderOpenApi());
  delete doc.info.license;
  delete doc.paths["/health"].get.security;
  const dir = mkdtempSync(join(tmpdir(), "switchyard-openapi-lint-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(doc));
  const problems = await lintOpenApi(file);
  t.deepEqual(problems.map((p) => `${p.rule} ${p.location}`).sort(), ["info-license #/info", "security-defined #/paths/~1health/get"]);
});
