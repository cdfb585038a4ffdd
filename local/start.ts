// `npm start`: Switchyard on this machine. DynamoDB Local and s3rver (data kept in .local/, the one
// local state `npm run sync` shares: local/emulators/local-data.ts), the
// tables and buckets the stacks define, the HTTP API at http://127.0.0.1:3000 and the live
// WebSocket at ws://127.0.0.1:3001, all served by the Lambda handler code, and the website at
// http://127.0.0.1:3002 (built from website/, with a config.json pointing at the two), and the events
// platform's local sign-in stand-in at http://127.0.0.1:3003 (local/events.ts), and the Stripe
// stand-in at http://127.0.0.1:3004 delivering signed webhooks to POST /webhooks/stripe (local/stripe.ts).
// Environment: PORT (default 3000; the WebSocket takes PORT+1, the website PORT+2, sign-in PORT+3, Stripe PORT+4), CORS_ORIGINS (extra,
// comma-separated), SWITCHYARD_LOCAL_DIR (data folder, default .local/), CALENDLY_SIGNING_KEY and
// REPLAY_TOKEN, STRIPE_WEBHOOK_SECRET and STRIPE_SECRET_KEY (local defaults printed when unset), FORWARD_URL (forward webhooks there),
// REPLAY_INTERVAL_SECONDS (default 60). Every sync job of the registry (handlers/sync/registry.ts)
// runs at start and on its schedule (`<JOB>_SCHEDULE`: GISTS_SCHEDULE (or GIST_SCHEDULE),
// SKILLS_SCHEDULE; rate or cron, as in the stack), against the real APIs when its settings are set
// (see local/syncs.ts) and otherwise against its stand-ins; `POST /_local/sync/{job}` runs one now. The health check runs 2 s after the start and
// every 5 minutes, against the website and GET /health, printing one line each time.
import { createServer } from "node:net";
import { join } from "node:path";
import { messageTopology } from "../handlers/messages/topology";
import { httpApiTopology } from "../handlers/shared/http-api-topology";
import { startApiServer } from "./emulators/api-server";
import { useLocalAws } from "./emulators/aws-env";
import { LocalSetupError, assertJava } from "./emulators/dynamodb-local";
import { openLocalData } from "./emulators/local-data";
import { nodeVersionNote } from "./node-version";
import { LOCAL_HEALTH_CHECK_INTERVAL_MS, startLocalHealthCheck } from "./health-check";
import { installLogSink, localLogFile } from "./emulators/log-sink";
import { startLocalEvents } from "./events";
import { startLocalGraphql } from "./graphql";
import { startStaticSite } from "./emulators/static-site";
import { LOCAL_STRIPE_SECRET_KEY, LOCAL_STRIPE_WEBHOOK_SECRET, startLocalStripe } from "./stripe";
import { LOCAL_SYNC_STATE_TABLE, startLocalSchedules } from "./syncs";
import { runTopology } from "./topology";
import { buildWebsite } from "../website/build";
import type { SiteConfig } from "../website/src/config";
import { LOCAL_REPLAY_TOKEN, LOCAL_SIGNING_KEY, startLocalWebhooks } from "./webhooks";

const ROOT = join(__dirname, "..");

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () => reject(new LocalSetupError(`Port ${port} is already in use: stop what holds it, or run PORT=<other> npm start.`)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

async function main() {
  const nodeNote = nodeVersionNote();
  assertJava();
  const port = Number(process.env.PORT ?? 3000);
  await assertPortFree(port);
  await assertPortFree(port + 1);
  await assertPortFree(port + 2);
  await assertPortFree(port + 3);
  await assertPortFree(port + 4);
  const dataDir = process.env.SWITCHYARD_LOCAL_DIR ?? join(ROOT, ".local");
  // Handlers' JSON log lines and EMF metrics go to a file, as a stack's go to CloudWatch (errors also here).
  const logs = installLogSink({ file: localLogFile(dataDir), terminal: process.env.LOG_TO_TERMINAL === "1" ? "all" : "errors" });
  // Built first: a broken build stops the start before anything runs.
  const websiteDir = join(dataDir, "website");
  const websiteFiles = buildWebsite({ outDir: websiteDir });
  // The folder's one DynamoDB Local and s3rver, shared with `npm run sync` (local/emulators/local-data.ts).
  const localData = await openLocalData({ dir: dataDir, who: "npm start", log: (line) => console.log(line) });
  const { dynamodb, s3 } = localData;
  useLocalAws({ dynamodb: dynamodb.endpoint, s3: s3.endpoint });
  // The MessageApi ("api" in the stacks): its table, its functions, its routes and the $default.
  const messages = await runTopology({ component: "api", topology: messageTopology, dynamodb });
  // The HTTP API's own function: the `$default` route (a problem+json 404).
  const httpApi = await runTopology({ component: "api", topology: httpApiTopology, dynamodb });

  const signingKey = process.env.CALENDLY_SIGNING_KEY || LOCAL_SIGNING_KEY;
  const replayToken = process.env.REPLAY_TOKEN || LOCAL_REPLAY_TOKEN;
  const forwardUrl = process.env.FORWARD_URL || undefined;
  const webhooks = await startLocalWebhooks({
    dynamodb,
    s3,
    signingKey,
    replayToken,
    forwardUrl,
    replayIntervalSeconds: Number(process.env.REPLAY_INTERVAL_SECONDS ?? 60),
    livePort: port + 1,
  });

  // Stripe's WebhookIngest and the Stripe stand-in, delivering to this API's POST /webhooks/stripe.
  const stripe = await startLocalStripe({
    dynamodb,
    s3,
    apiUrl: `http://127.0.0.1:${port}`,
    port: port + 4,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET || undefined,
    secretKey: process.env.STRIPE_SECRET_KEY || undefined,
  });

  const syncs = await startLocalSchedules({ dynamodb: dynamodb.client, s3 });

  const events = await startLocalEvents({
    dynamodb,
    s3,
    dataDir,
    siteUrl: `http://127.0.0.1:${port + 2}`,
    apiUrl: `http://127.0.0.1:${port}`,
    signInPort: port + 3,
    rsvpSigningKey: process.env.RSVP_SIGNING_KEY || undefined,
    // Paid events: Checkout Sessions at the Stripe stand-in, confirmed off the Stripe ingest's table stream.
    payments: { stripeEventsTable: stripe.tables.events, stripeApiUrl: stripe.standIn.url, stripeSecretKey: stripe.secretKey },
  });

  // The GraphQL layer over the same local tables (POST and GET /graphql).
  const graphql = await startLocalGraphql({
    dynamodb,
    events,
    messagesTable: messages.tables.messages,
    meetingsTable: webhooks.tables.meetings!, // Calendly has meetings
    syncStateTables: Object.fromEntries(syncs.jobs.map((j) => [j.job, LOCAL_SYNC_STATE_TABLE])),
  });

  // The website (PORT+2) calls the API from its own origin, as the stack's site does from CloudFront.
  const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 2}`, `http://localhost:${port + 2}`, ...(process.env.CORS_ORIGINS?.split(",").filter(Boolean) ?? [])];
  const api = await startApiServer({
    routes: [...messages.routes, ...webhooks.routes, ...stripe.routes, ...syncs.routes, ...events.routes, ...graphql.routes, ...httpApi.routes],
    corsOrigins: origins,
    port,
  });

  const website = await startStaticSite({ root: websiteDir, files: websiteFiles, config: { apiUrl: api.url, liveUrl: webhooks.liveUrl, auth: { domain: events.signInUrl, clientId: events.clientId }, mediaOrigin: events.mediaOrigin } as SiteConfig, port: port + 2 });
  // As the stack's EventBridge rule runs it: the website and the API's /health.
  const healthCheck = startLocalHealthCheck({ targets: [{ name: "website", url: `${website.url}/` }, { name: "api", url: `${api.url}/health` }] });

  const outputs = {
    websiteUrl: website.url,
    apiUrl: api.url,
    messagesUrl: `${api.url}/messages`,
    messagesTable: messages.tables.messages,
    webhookUrl: `${api.url}/webhooks/calendly`,
    meetingsUrl: `${api.url}/meetings`,
    liveUrl: webhooks.liveUrl,
    gistsUrl: `${api.url}/gists`,
    healthUrl: `${api.url}/health`,
    eventsTable: webhooks.tables.events,
    stripeWebhookUrl: stripe.webhookUrl,
    stripeApiUrl: stripe.standIn.url,
    eventsApiUrl: `${api.url}/events`,
    graphqlUrl: `${api.url}/graphql`,
    eventsSignInUrl: events.signInUrl,
    outbox: `${api.url}/_local/outbox`,
    dynamodbEndpoint: dynamodb.endpoint,
    s3Endpoint: s3.endpoint,
    logFile: logs.file,
  };
  if (nodeNote) console.log(nodeNote);
  console.log("Switchyard local mode is up. Outputs:");
  for (const [key, value] of Object.entries(outputs)) console.log(`  ${key.padEnd(17)} ${value}`);
  console.log(`Calendly signing key: ${signingKey === LOCAL_SIGNING_KEY ? `${signingKey} (local default; set CALENDLY_SIGNING_KEY to change)` : "from CALENDLY_SIGNING_KEY"}`);
  console.log(`Stripe endpoint secret: ${stripe.webhookSecret === LOCAL_STRIPE_WEBHOOK_SECRET ? `${stripe.webhookSecret} (local default; set STRIPE_WEBHOOK_SECRET to change)` : "from STRIPE_WEBHOOK_SECRET"}`);
  console.log(`Stripe stand-in: ${stripe.standIn.url} takes secret key ${stripe.secretKey === LOCAL_STRIPE_SECRET_KEY ? `${stripe.secretKey} (local default; set STRIPE_SECRET_KEY to change)` : "from STRIPE_SECRET_KEY"}; a paid Checkout Session's webhook goes to ${stripe.webhookUrl}`);
  if (forwardUrl) {
    console.log(`Forwarding webhooks to ${forwardUrl} (spool in s3rver, replay every ${process.env.REPLAY_INTERVAL_SECONDS ?? 60} s)`);
    console.log(`Replay token: ${replayToken === LOCAL_REPLAY_TOKEN ? `${replayToken} (local default; set REPLAY_TOKEN to change)` : "from REPLAY_TOKEN"}`);
  } else {
    // As in a stack without switchyard:forwardUrl: no forwarder, no spool, so no replay route (404).
    console.log("No FORWARD_URL: webhooks are stored, not forwarded; there is no spool, so no replay route (set FORWARD_URL to get both).");
  }
  for (const job of syncs.jobs) {
    console.log(`Sync ${job.job}: ${job.schedule} against the ${job.mode}, first run now, next at ${job.nextRunAt?.toISOString()}; run it now: curl -X POST ${api.url}/_local/sync/${job.job}`);
  }
  console.log("Logs: handlers' JSON lines and EMF metrics go to logFile (errors also here; LOG_TO_TERMINAL=1 for all): npm run logs -- --local [--errors|--slow|--id <id>], npm run status");
  console.log(`Health check: the website and ${api.url}/health every ${LOCAL_HEALTH_CHECK_INTERVAL_MS / 60_000} minutes, first in 2 s.`);
  console.log(`Try: curl -i -X POST ${outputs.messagesUrl} -H 'content-type: application/json' -d '{"message":"hello"}'`);
  console.log(`Events: sign in at ${website.url}/events/ through the local sign-in stand-in (${events.signInUrl}: local mode only, email and no password); mails go to ${events.outboxDir} and ${outputs.outbox}.`);
  console.log(`  curl: TOKEN=$(curl -s -X POST ${events.signInUrl}/_local/token -H 'content-type: application/json' -d '{"email":"you@example.com"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).id_token')`);
  console.log("Ctrl-C stops everything.");

  // Stopped the way a terminal, a process manager or an IDE stops it: SIGINT, SIGTERM or SIGHUP to
  // this process (npm start execs it, so npm's forwarded signal lands here), or the parent going
  // away (reparented). Everything it started stops; a stop that hangs is cut short.
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      console.error(`Switchyard local mode: stopping took over ${STOP_DEADLINE_MS / 1000} s (${why}); exiting anyway.`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    await healthCheck.stop();
    await website.close();
    await api.close();
    await webhooks.stop();
    await stripe.stop();
    await events.stop();
    await graphql.stop();
    await syncs.stop();
    await messages.stop();
    await httpApi.stop();
    await localData.stop();
    console.log(`Switchyard local mode stopped (${why}).`);
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(signal));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop("its parent process exited");
  }, 500).unref();
}

/** How long a stop may take before the process exits regardless. */
const STOP_DEADLINE_MS = 10_000;

main().catch((error) => {
  console.error(error instanceof LocalSetupError ? `npm start: ${error.message}` : error);
  process.exit(1);
});
