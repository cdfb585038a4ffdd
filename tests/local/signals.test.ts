// `npm start` stopped the way process managers, scripts and IDEs stop it: a signal to the process
// they started (npm), not Ctrl-C to the whole process group. Whatever the signal, nothing it started
// may outlive it: no child process (Java above all), no listener on its ports.
import test from "ava";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLocalModePort } from "../harness/ports";
import { ROOT } from "../harness/stacks";

/** Every process below `pid` (from /proc), children first. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent; the command (field 2) may hold spaces, so read after its ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
};

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
};

/** `npm start` in a fresh data folder, up once it printed its outputs. */
async function npmStart(): Promise<{ npm: ChildProcess; port: number; output: () => string; exited: Promise<number | null> }> {
  const port = await freeLocalModePort();
  const dir = mkdtempSync(join(tmpdir(), "switchyard-signals-"));
  const npm = spawn("npm", ["start"], { cwd: ROOT, env: { ...process.env, PORT: String(port), SWITCHYARD_LOCAL_DIR: dir }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  npm.stdout!.on("data", (d) => (text += d));
  npm.stderr!.on("data", (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
  void exited.then(() => setTimeout(() => rmSync(dir, { recursive: true, force: true }), 2000));
  for (const deadline = Date.now() + 180_000; !text.includes("Ctrl-C stops everything."); ) {
    if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { npm, port, output: () => text, exited };
}

/** Waits until every pid is gone and no port listens; false if that does not happen within the bound. */
async function allGone(pids: number[], ports: number[]): Promise<boolean> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    if (pids.some(alive)) continue;
    if ((await Promise.all(ports.map(listening))).some(Boolean)) continue;
    return true;
  }
  return false;
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test.serial(`${signal} to npm's pid stops everything npm start started, with one "stopped" line`, async (t) => {
    const started = await npmStart();
    const pids = descendants(started.npm.pid!);
    t.true(pids.some((pid) => /\bjava\b/.test(commandOf(pid))), "DynamoDB Local (Java) is among the children");
    const ports = [started.port, started.port + 1, started.port + 2, started.port + 3];
    t.true(await listening(started.port));
    started.npm.kill(signal);
    t.is(await started.exited, 0);
    t.true(await allGone(pids, ports), `left behind: ${pids.filter(alive).map(commandOf).join("; ")}`);
    t.regex(started.output(), new RegExp(`^Switchyard local mode stopped \\(${signal}\\)\\.$`, "m"));
  });
}

test.serial("SIGKILL to the local-mode process itself: Java and every other child die with it", async (t) => {
  const started = await npmStart();
  const pids = descendants(started.npm.pid!);
  const node = pids.find((pid) => /local\/start\.ts/.test(commandOf(pid)))!;
  t.truthy(node, "the node process running local/start.ts");
  const below = descendants(node);
  t.true(below.some((pid) => /\bjava\b/.test(commandOf(pid))));
  process.kill(node, "SIGKILL");
  t.true(await allGone(below, [started.port, started.port + 1, started.port + 2, started.port + 3]), `left behind: ${below.filter(alive).map(commandOf).join("; ")}`);
  await started.exited;
});
