// The GraphQL schema is generated from the zod views (one source of truth): docs/graphql.graphql and
// the module the Lambda loads must be what the views say now, a change to a view changes the SDL
// (so the first check fails until `npx tsx scripts/graphql-sdl.ts` is run), and every persisted
// query's hash is its document's and the document is valid against the schema.
import test from "ava";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { buildSchema, parse, validate } from "graphql";
import { z } from "zod";
import { PERSISTED_QUERIES } from "../../handlers/graphql/persisted";
import { SCHEMA_SDL } from "../../handlers/graphql/schema.generated";
import { sdlFromViews } from "../../handlers/graphql/sdl";
import { graphqlViews } from "../../handlers/graphql/views";
import { SDL_FILES, expectedSdlFiles } from "../../scripts/graphql-sdl";

test("docs/graphql.graphql and schema.generated.ts are what the zod views generate now", (t) => {
  const expected = expectedSdlFiles();
  t.is(readFileSync(SDL_FILES.docs, "utf8"), expected.docs, "stale: run npx tsx scripts/graphql-sdl.ts");
  t.is(readFileSync(SDL_FILES.module, "utf8"), expected.module, "stale: run npx tsx scripts/graphql-sdl.ts");
  t.is(SCHEMA_SDL, expected.docs);
});

test("a field added to a zod view, a changed enum or a field made nullable changes the SDL (the drift check above then fails)", (t) => {
  const views = graphqlViews();
  const base = sdlFromViews(views);
  const added = sdlFromViews({ ...views, OrganizerEvent: views.OrganizerEvent.extend({ ticketPrice: z.int().nullable().describe("In cents") }) });
  t.not(added, base);
  t.regex(added, /"""In cents"""\n {2}ticketPrice: Int\n/);
  const widened = sdlFromViews({ ...views, Invitation: views.Invitation.extend({ status: z.enum(["pending", "yes", "no", "maybe"]) }) });
  t.regex(widened, /enum InvitationStatus \{\n {2}pending\n {2}yes\n {2}no\n {2}maybe\n\}/);
  const nullable = sdlFromViews({ ...views, Message: views.Message.extend({ message: z.string().nullable() }) });
  t.regex(nullable, /type Message \{[^}]*\n {2}message: String\n/);
  t.regex(base, /type Message \{[^}]*\n {2}message: String!\n/);
});

test("each view's fields are in the SDL with their types, and the REST views' nested objects are named types", (t) => {
  const schema = buildSchema(SCHEMA_SDL);
  for (const [name, view] of Object.entries(graphqlViews())) {
    const type = schema.getType(name) as { getFields(): Record<string, unknown> } | undefined;
    t.truthy(type, name);
    t.deepEqual(Object.keys(type!.getFields()).filter((f) => f !== "invitations"), Object.keys(view.shape), name);
  }
});

test("every persisted query: its sha256 is its document's, and the document is valid against the schema", (t) => {
  const schema = buildSchema(SCHEMA_SDL);
  t.true(PERSISTED_QUERIES.some((q) => q.name === "ManageEvent"));
  for (const q of PERSISTED_QUERIES) {
    t.is(q.sha256, createHash("sha256").update(q.document).digest("hex"), q.name);
    t.deepEqual(validate(schema, parse(q.document)).map((e) => e.message), [], q.name);
    t.regex(q.document, new RegExp(`^query ${q.name}\\b`), q.name);
  }
});
