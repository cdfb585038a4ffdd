import { createServer } from "node:net";
import { freePort } from "../../local/dynamodb-local";

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });

/** A free port P whose neighbours P+1 to P+3 are free too (local mode serves the WebSocket on PORT+1, the website on PORT+2, the sign-in stand-in on PORT+3). */
export async function freeLocalModePort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65532 && (await canListen(port + 1)) && (await canListen(port + 2)) && (await canListen(port + 3))) return port;
  }
}
