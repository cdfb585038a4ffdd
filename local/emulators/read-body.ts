import type { IncomingMessage } from "node:http";

/** A request body up to `maxBytes`, or "too-large" (the rest is drained, not kept). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > maxBytes ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
