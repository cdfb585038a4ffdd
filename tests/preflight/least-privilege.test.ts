// Least privilege, proven by running the code: every action each function's role grants (in every
// variant's record) was exercised by the uploaded code in an artifact test (per the committed
// preflight/exercised-calls.json, which each artifact test checks against its run) or is justified
// in preflight/justified-grants.ts; and docs/least-privilege.md is the table of exactly that.
import test from "ava";
import { readFileSync, writeFileSync } from "node:fs";
import { JUSTIFIED_GRANTS } from "../../preflight/justified-grants";
import { justification, privileges, readExercised, renderTable, splitEntry, TABLE_FILE, type FunctionPrivileges } from "../../preflight/least-privilege";
import { evaluateVariants } from "../../preflight/variants";
import type { StackRecord } from "../harness/record";

let records: Map<string, StackRecord>;
let table: FunctionPrivileges[];

test.before(async () => {
  records = await evaluateVariants();
  table = privileges(records, readExercised(), JUSTIFIED_GRANTS);
});

test("every action a function's role grants is exercised by its uploaded code in an artifact test, or justified", (t) => {
  const neither = table.flatMap((f) => f.rows.filter((r) => !r.exercised.length && !r.justified).map((r) => `${f.function}: ${r.action} on ${r.granted.join(", ")}`));
  t.deepEqual(neither, [], "grant these in no role (components/), exercise them in an artifact test, or justify them in preflight/justified-grants.ts");
  t.true(table.length >= 17, "every function of every variant is in the table");
});

test("no justification outlives its grant: each names an action granted to the function and exercised by no test", (t) => {
  const rows = new Map(table.map((f) => [f.function, new Map(f.rows.map((r) => [r.action, r]))]));
  const stale: string[] = [];
  for (const [fn, actions] of Object.entries(JUSTIFIED_GRANTS)) {
    for (const action of Object.keys(actions)) {
      const matching = fn === "*" ? [...rows.values()].map((r) => r.get(action)) : [rows.get(fn)?.get(action)];
      const live = matching.filter((r) => r && !r.exercised.length);
      if (!live.length) stale.push(`${fn}: ${action}`);
    }
  }
  t.deepEqual(stale, []);
  t.truthy(justification(JUSTIFIED_GRANTS, "api-create", "logs:PutLogEvents"), "what every function's role grants for its logs is justified once for all");
});

test("every call committed as exercised names a function and an action its role grants (in some variant: calls depend on the config)", (t) => {
  const granted = new Map(table.map((f) => [f.function, new Set(f.rows.map((r) => r.action))]));
  const ungranted = Object.entries(readExercised()).flatMap(([file, byFunction]) =>
    Object.entries(byFunction).flatMap(([fn, entries]) => entries.map(splitEntry).filter(({ action }) => !granted.get(fn)?.has(action)).map(({ action, resource }) => `${fn}: ${action} ${resource} (${file})`)),
  );
  t.deepEqual(ungranted, []);
  t.true(Object.keys(readExercised()).length >= 5, "every artifact test file has its entries");
});

test("docs/least-privilege.md is the current table (UPDATE_EXERCISED=1 rewrites it)", (t) => {
  const expected = renderTable(table);
  if (process.env.UPDATE_EXERCISED === "1") writeFileSync(TABLE_FILE, expected);
  t.is(readFileSync(TABLE_FILE, "utf8"), expected);
});
