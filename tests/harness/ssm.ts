// A stand-in for SSM Parameter Store's GetParameter (JSON 1.1 over HTTP, as the AWS SDK speaks it),
// so functions read their SecureString secrets through their real code path.
import { createServer } from "node:http";

export async function startSsm(parameters: Record<string, string>) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"]);
      const { Name, WithDecryption } = JSON.parse(text || "{}") as { Name?: string; WithDecryption?: boolean };
      requests.push(`${target} ${Name}`);
      const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(body));
      if (target !== "AmazonSSM.GetParameter") return json(400, { __type: "UnknownOperationException" });
      if (!Name || !(Name in parameters)) return json(400, { __type: "ParameterNotFound", message: `${Name} not found` });
      json(200, { Parameter: { Name, Type: "SecureString", Value: WithDecryption ? parameters[Name] : "(encrypted)", Version: 1 } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
