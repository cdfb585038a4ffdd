// `npx tsx scripts/graphql-sdl.ts [--check]`: the GraphQL SDL from the zod views into
// docs/graphql.graphql and handlers/graphql/schema.generated.ts. --check writes nothing and exits 1
// when either differs (a view changed and the SDL was not regenerated).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedModule, sdlFromViews } from "../handlers/graphql/sdl";
import { graphqlViews } from "../handlers/graphql/views";

const ROOT = join(__dirname, "..");
export const SDL_FILES = { docs: join(ROOT, "docs/graphql.graphql"), module: join(ROOT, "handlers/graphql/schema.generated.ts") };

/** What each file should hold now. */
export function expectedSdlFiles(): Record<keyof typeof SDL_FILES, string> {
  const sdl = sdlFromViews(graphqlViews());
  return { docs: sdl, module: generatedModule(sdl) };
}

if (require.main === module) {
  const check = process.argv.includes("--check");
  const expected = expectedSdlFiles();
  let stale = 0;
  for (const [key, file] of Object.entries(SDL_FILES) as [keyof typeof SDL_FILES, string][]) {
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {
      // missing: stale
    }
    if (current === expected[key]) continue;
    if (check) {
      console.error(`${file} differs from the zod views: run npx tsx scripts/graphql-sdl.ts`);
      stale++;
    } else writeFileSync(file, expected[key]);
  }
  if (stale) process.exit(1);
}
