// Every DynamoDB table of the program, both syncs on: in prod each has point-in-time recovery and
// deletion protection except the live WebSocket connections (ephemeral, the one table whose loss
// nobody notices); in dev none has either. TTL stays on where the definitions ask for it.
import test from "ava";
import type { StackRecord } from "../harness/record";
import { SYNCS_CONFIG, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, ofType } from "../harness/stacks";

const TABLE = "aws:dynamodb/table:Table";
const SECRET_KEYS = [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS];
/** The one table left unprotected on purpose (components/webhook-ingest.ts, docs/operations.md "Tables"). */
/** Unprotected on purpose: live connections, and the public list's popularity rankings (15 minutes; a lost one asks the reader to start again). */
const EPHEMERAL = ["calendly-connections", "events-list-snapshots"];

let prod: StackRecord;
let dev: StackRecord;
test.before(async () => {
  [prod, dev] = await Promise.all([evaluateStack("prod", SYNCS_CONFIG, "tsx", SECRET_KEYS), evaluateStack("dev", SYNCS_CONFIG, "tsx", SECRET_KEYS)]);
});

const protection = (record: StackRecord, name: string) => {
  const inputs = byName(record, TABLE, name).inputs;
  return { pitr: inputs.pointInTimeRecovery?.enabled, deletion: inputs.deletionProtectionEnabled };
};

test("prod: every table but the live connections and the popularity rankings has point-in-time recovery and deletion protection", (t) => {
  const tables = ofType(prod, TABLE).map((r) => r.name);
  t.true(tables.length >= 9, tables.join(", "));
  for (const name of tables) {
    const expected = EPHEMERAL.includes(name) ? { pitr: false, deletion: false } : { pitr: true, deletion: true };
    t.deepEqual(protection(prod, name), expected, name);
  }
});

test("prod: the sent-mail records and the read API's sessions are protected, and keep their TTL", (t) => {
  for (const [name, ttl] of [["events-notifications-sent", "expiration"], ["gists-sessions", "expiresAt"]] as const) {
    t.deepEqual(protection(prod, name), { pitr: true, deletion: true }, name);
    t.deepEqual(byName(prod, TABLE, name).inputs.ttl, { attributeName: ttl, enabled: true }, name);
    t.is(byName(prod, TABLE, name).inputs.tags.ephemeral, undefined, `${name} is not exempt from the policy pack`);
  }
  // The connections expire by TTL and are tagged so the policy pack knows they are unprotected on purpose.
  t.like(byName(prod, TABLE, "calendly-connections").inputs, { ttl: { attributeName: "expiresAt", enabled: true }, tags: { ephemeral: "true" } });
  t.like(byName(prod, TABLE, "events-list-snapshots").inputs, { ttl: { attributeName: "expiresAt", enabled: true }, tags: { ephemeral: "true" } });
});

test("dev: no table has point-in-time recovery or deletion protection (a destroy removes them)", (t) => {
  const tables = ofType(dev, TABLE).map((r) => r.name);
  t.deepEqual(tables.sort(), ofType(prod, TABLE).map((r) => r.name).sort(), "the same tables in both stacks");
  for (const name of tables) t.deepEqual(protection(dev, name), { pitr: false, deletion: false }, name);
  for (const name of ["events-notifications-sent", "gists-sessions"]) t.true(byName(dev, TABLE, name).inputs.ttl.enabled, name);
});
