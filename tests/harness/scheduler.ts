// A stand-in for the EventBridge Scheduler API (REST-JSON, as the AWS SDK speaks it): schedules in a
// Map keyed by `<group>/<name>`, 404 on updating or deleting a missing one, 409 on creating an
// existing one, errors as `x-amzn-errortype`; every call recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SCHEDULE_NAME_PATTERN } from "../../handlers/events/scheduler-reminders";

export interface SchedulerCall {
  method: string;
  name: string;
  query: URLSearchParams;
  body: any;
}

export class SchedulerStandIn {
  /** `<group>/<name>` → the schedule as created or last updated (with Name, GroupName, Arn). */
  readonly schedules = new Map<string, any>();
  readonly calls: SchedulerCall[] = [];
  /** Runs before a request is answered (to simulate a racing client). */
  before?: (call: SchedulerCall) => void;
  private server!: Server;
  endpoint = "";

  async start() {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop = () => new Promise<void>((resolve) => this.server.close(() => resolve()));
  close = this.stop;

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url!, "http://x");
    const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    const send = (status: number, body: unknown, errorType?: string) => {
      res.writeHead(status, { "content-type": "application/json", ...(errorType ? { "x-amzn-errortype": errorType } : {}) });
      res.end(JSON.stringify(body));
    };
    if (!match) return send(404, { Message: "unknown route" }, "UnknownOperationException");
    const call: SchedulerCall = { method: req.method!, name: decodeURIComponent(match[1]!), query: url.searchParams, body: text ? JSON.parse(text) : undefined };
    this.calls.push(call);
    this.before?.(call);
    const group = (call.method === "GET" || call.method === "DELETE" ? call.query.get("groupName") : call.body?.GroupName) ?? "default";
    const key = `${group}/${call.name}`;
    const arn = `arn:aws:scheduler:us-east-1:123456789012:schedule/${group}/${call.name}`;
    const missing = () => send(404, { Message: `Schedule ${call.name} does not exist.` }, "ResourceNotFoundException");
    if (!SCHEDULE_NAME_PATTERN.test(call.name)) return send(400, { Message: "bad name" }, "ValidationException");
    switch (call.method) {
      case "POST":
        if (this.schedules.has(key)) return send(409, { Message: `Schedule ${call.name} already exists.` }, "ConflictException");
        this.schedules.set(key, { ...call.body, Name: call.name, GroupName: group, Arn: arn });
        return send(200, { ScheduleArn: arn });
      case "PUT":
        if (!this.schedules.has(key)) return missing();
        this.schedules.set(key, { ...call.body, Name: call.name, GroupName: group, Arn: arn });
        return send(200, { ScheduleArn: arn });
      case "DELETE":
        if (!this.schedules.delete(key)) return missing();
        return send(200, {});
      case "GET": {
        const schedule = this.schedules.get(key);
        if (!schedule) return missing();
        const { ClientToken: _token, ...rest } = schedule;
        return send(200, rest);
      }
      default:
        return send(405, { Message: "method" }, "ValidationException");
    }
  }
}

/** Starts a Scheduler stand-in: `endpoint`, `schedules` and `calls` (what was received), `close`. */
export async function startScheduler(): Promise<SchedulerStandIn> {
  const scheduler = new SchedulerStandIn();
  await scheduler.start();
  return scheduler;
}
