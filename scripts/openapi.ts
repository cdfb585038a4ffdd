// Writes docs/openapi.json from the zod schemas (`npm run openapi`); `--check` fails when the file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { apiDocument } from "../handlers/openapi";

export const OPENAPI_FILE = join(__dirname, "..", "docs", "openapi.json");
export const renderOpenApi = () => `${JSON.stringify(apiDocument(), null, 2)}\n`;

if (require.main === module) {
  const text = renderOpenApi();
  if (process.argv.includes("--check")) {
    if (readFileSync(OPENAPI_FILE, "utf8") !== text) {
      console.error("docs/openapi.json is stale: run npm run openapi");
      process.exit(1);
    }
  } else {
    writeFileSync(OPENAPI_FILE, text);
    console.log(`wrote ${OPENAPI_FILE}`);
  }
}
