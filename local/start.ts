// `npm start`: Switchyard on this machine. DynamoDB Local (data kept in .local/), the tables the
// stacks define, and the HTTP API at http://127.0.0.1:3000 served by the Lambda handler code.
// Environment: PORT (default 3000), CORS_ORIGINS (extra, comma-separated), SWITCHYARD_LOCAL_DIR
// (where data is kept, default .local/).
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { messageTable } from "../handlers/messages/table";
import { startApiServer } from "./api-server";
import { useLocalAws } from "./aws-env";
import { LocalSetupError, assertJava, startDynamoDbLocal } from "./dynamodb-local";
import { localMessageRoutes } from "./message-api";
import { createTable } from "./tables";

const ROOT = join(__dirname, "..");
export const LOCAL_MESSAGES_TABLE = "switchyard-local-messages";

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () => reject(new LocalSetupError(`Port ${port} is already in use: stop what holds it, or run PORT=<other> npm start.`)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  await assertPortFree(port);
  assertJava();
  const dataDir = join(process.env.SWITCHYARD_LOCAL_DIR ?? join(ROOT, ".local"), "dynamodb");
  mkdirSync(dataDir, { recursive: true });
  const dynamodb = await startDynamoDbLocal({ dbPath: dataDir });
  useLocalAws({ dynamodb: dynamodb.endpoint });
  await createTable(dynamodb.client, LOCAL_MESSAGES_TABLE, messageTable);

  const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`, ...(process.env.CORS_ORIGINS?.split(",").filter(Boolean) ?? [])];
  const api = await startApiServer({ routes: localMessageRoutes(LOCAL_MESSAGES_TABLE), corsOrigins: origins, port });

  const outputs = { apiUrl: api.url, messagesUrl: `${api.url}/messages`, messagesTable: LOCAL_MESSAGES_TABLE, dynamodbEndpoint: dynamodb.endpoint };
  console.log("Switchyard local mode is up. Outputs:");
  for (const [key, value] of Object.entries(outputs)) console.log(`  ${key.padEnd(17)} ${value}`);
  console.log(`Try: curl -i -X POST ${outputs.messagesUrl} -H 'content-type: application/json' -d '{"message":"hello"}'`);
  console.log("Ctrl-C stops everything.");

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await api.close();
    await dynamodb.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error instanceof LocalSetupError ? `npm start: ${error.message}` : error);
  process.exit(1);
});
