// GraphqlApi under mocks (issue #19): POST and GET /graphql on the shared HTTP API, served by one
// function with no authorizer in front (it verifies the tokens the events' JWT authorizer checks,
// with the authorizer's own issuer and audience), a read-only role naming exactly the tables,
// indexes and objects it reads (each sync job's run state only where the stack runs the job), and
// an upload within the bench's 512 KB.
import test from "ava";
import { rmSync } from "node:fs";
import { GRAPHQL_ROUTES } from "../../handlers/graphql/topology";
import { zipSize } from "../../bench/zip-size";
import { unpackFunction } from "../harness/artifact";
import { grants, policiesByRole } from "../harness/iam";
import type { StackRecord } from "../harness/record";
import { SYNCS_CONFIG, SYNC_SECRET_KEYS, TEST_SECRETS, byName, evaluateStack, ofType } from "../harness/stacks";

let prod: StackRecord;
let dev: StackRecord;
test.before(async () => {
  [prod, dev] = await Promise.all([evaluateStack("prod"), evaluateStack("dev", SYNCS_CONFIG, "tsx", [...Object.keys(TEST_SECRETS), ...SYNC_SECRET_KEYS])]);
});

const FN = "aws:lambda/function:Function";
const arnOf = (record: StackRecord, type: string, name: string) => byName(record, type, name).state.arn as string;
const table = (record: StackRecord, name: string) => arnOf(record, "aws:dynamodb/table:Table", name);

test("POST and GET /graphql on the shared API, to the GraphQL function, without an authorizer, each invocable only through its own route", (t) => {
  for (const record of [prod, dev]) {
    const api = ofType(record, "aws:apigatewayv2/api:Api").find((a) => a.inputs.protocolType === "HTTP")!;
    const fn = byName(record, FN, "graphql");
    for (const routeKey of GRAPHQL_ROUTES) {
      const [method] = routeKey.split(" ") as [string];
      const name = `graphql-${method.toLowerCase()}`;
      const route = byName(record, "aws:apigatewayv2/route:Route", name).inputs;
      t.is(route.routeKey, routeKey);
      t.is(route.apiId, api.id);
      t.is(route.authorizationType, undefined, "public fields need no token: the function checks it");
      t.is(byName(record, "aws:apigatewayv2/integration:Integration", name).inputs.integrationUri, fn.state.arn);
      const permission = byName(record, "aws:lambda/permission:Permission", name).inputs;
      t.is(permission.function, fn.state.name);
      t.true(String(permission.sourceArn).endsWith(`/*/${method}/graphql`), routeKey);
    }
  }
});

test("the function verifies the tokens with the JWT authorizer's own issuer and audience", (t) => {
  for (const record of [prod, dev]) {
    const authorizer = ofType(record, "aws:apigatewayv2/authorizer:Authorizer")[0]!.inputs.jwtConfiguration;
    const env = byName(record, FN, "graphql").inputs.environment.variables as Record<string, string>;
    t.is(env.JWT_ISSUER, authorizer.issuer);
    t.deepEqual(env.JWT_AUDIENCE!.split(","), authorizer.audiences);
    t.true(env.JWT_ISSUER!.startsWith("https://cognito-idp."));
  }
});

test("its role only reads: the events (table, organizer and public-list indexes but popularity), media objects, messages, meetings, the run state of the syncs the stack runs, and the videos' stream key", (t) => {
  for (const [record, jobs] of [
    [prod, []],
    [dev, ["gists", "skills"]],
  ] as const) {
    const events = table(record, "events-events");
    const messages = table(record, "api-messages");
    const meetings = table(record, "calendly-meetings");
    const media = arnOf(record, "aws:s3/bucket:Bucket", "events-media");
    const logs = [`${arnOf(record, "aws:cloudwatch/logGroup:LogGroup", "graphql")}:log-stream:*`];
    const states = jobs.map((job) => table(record, `${job}-state`));
    t.deepEqual(grants(policiesByRole(record).get("graphql")!), {
      "logs:CreateLogStream": logs,
      "logs:PutLogEvents": logs,
      "dynamodb:GetItem": [events, messages, ...states].sort(),
      "dynamodb:Query": [events, `${events}/index/byOrganizer`, `${events}/index/publicByCreated`, `${events}/index/publicByPublished`, `${events}/index/publicByStart`, messages, `${meetings}/index/byStart`].sort(),
      "s3:GetObject": [`${media}/events/*`],
      // Videos' stream URLs, signed as the events API signs them (the derived key, not the RSVP key).
      "ssm:GetParameter": [arnOf(record, "aws:ssm/parameter:Parameter", "events-video-stream-key")],
    });
  }
});

test("the upload is at most 512 KB zipped", (t) => {
  const dir = unpackFunction(byName(prod, FN, "graphql"));
  try {
    const size = zipSize(dir);
    t.log(`graphql: ${(size / 1024).toFixed(0)} KB zipped`);
    t.true(size <= 512 * 1024, `${size} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
