import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });

/**
 * Where the kernel hands out ports for `listen(0)` (every stand-in, DynamoDB Local and the recording
 * proxies of the parallel test files do that). A port chosen inside that range can be taken by one
 * of them between our check and local mode's own listen; below it, nothing takes it by chance.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** A free port P whose neighbours P+1 to P+4 are free too (local mode serves the WebSocket on PORT+1, the website on PORT+2, the sign-in stand-in on PORT+3, the Stripe stand-in on PORT+4), below the ephemeral range. */
export async function freeLocalModePort(): Promise<number> {
  const high = ephemeralLow() - 5;
  const low = 10_000;
  for (;;) {
    const port = low + Math.floor(Math.random() * (high - low));
    if ((await canListen(port)) && (await canListen(port + 1)) && (await canListen(port + 2)) && (await canListen(port + 3)) && (await canListen(port + 4))) return port;
  }
}
