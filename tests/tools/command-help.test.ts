// Each npm run tool's --help is the text its docs show: the block between `<!-- help:<name> -->` and
// `<!-- /help:<name> -->` is compared with what the command prints, run as a person runs it.
import test from "ava";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../harness/stacks";
import { LOGS_HELP } from "../../scripts/logs";
import { SMOKE_HELP } from "../../scripts/smoke";
import { STATUS_HELP } from "../../scripts/status";
import { syncHelp } from "../../local/sync";

const COMMANDS = [
  { name: "logs", script: "scripts/logs.ts", doc: "docs/observability.md", help: LOGS_HELP },
  { name: "status", script: "scripts/status.ts", doc: "docs/observability.md", help: STATUS_HELP },
  { name: "smoke", script: "scripts/smoke.ts", doc: "docs/operations.md", help: SMOKE_HELP },
  { name: "sync", script: "local/sync.ts", doc: "docs/syncs.md", help: syncHelp() },
];

/** The fenced text between the doc's help markers for `name`. */
function documentedHelp(doc: string, name: string): string | undefined {
  const text = readFileSync(join(ROOT, doc), "utf8");
  return new RegExp(`<!-- help:${name} -->\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\`\\n<!-- /help:${name} -->`).exec(text)?.[1];
}

function printedHelp(script: string, flag: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(ROOT, script), flag], { cwd: ROOT }, (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }));
  });
}

for (const { name, script, doc, help } of COMMANDS) {
  test(`npm run ${name} -- --help (and -h) prints what ${doc} shows`, async (t) => {
    t.is(documentedHelp(doc, name), help, `${doc}'s help:${name} block is not what --help prints: copy the command's help text into it`);
    for (const flag of ["--help", "-h"]) {
      const printed = await printedHelp(script, flag);
      t.is(printed.code, 0, flag);
      t.is(printed.stdout, `${help}\n`, flag);
    }
  });
}
