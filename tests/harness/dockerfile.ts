// Reads a Dockerfile and carries out its build on this machine (there is no Docker here), so tests
// run exactly what the image would run: each stage gets a folder standing for its filesystem root;
// COPY copies from the build context or an earlier stage; RUN runs the npm commands the file uses.
// Any other instruction or command is refused, so a changed Dockerfile cannot silently drift from
// what the tests prove.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { ROOT } from "./stacks";

export interface Instruction {
  keyword: string;
  /** The rest of the line, as written. */
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  /** `FROM --platform=<platform>`, as written. Example: `"$BUILDPLATFORM"`. */
  platform?: string;
  name?: string;
  instructions: Instruction[];
}

/** Stages and their instructions (comments and blank lines dropped; no line continuations in our files). */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    if (line.endsWith("\\")) throw new Error(`line ${i + 1}: line continuations are not supported here`);
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args, line: i + 1 };
    if (instruction.keyword === "FROM") {
      const words = args.split(/\s+/);
      const platform = words[0]?.startsWith("--platform=") ? words.shift()!.slice("--platform=".length) : undefined;
      const [from = "", as, name] = words;
      if (from.startsWith("--")) throw new Error(`line ${i + 1}: unsupported FROM ${args}`);
      stages.push({ from, ...(platform ? { platform } : {}), ...(as?.toUpperCase() === "AS" && name ? { name } : {}), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${i + 1}: ${keyword} before FROM`);
      stage.instructions.push(instruction);
    }
  });
  return stages;
}

/** `COPY [--from=<stage>] <src>... <dest>`. */
export function copyArgs(instruction: Instruction): { from?: string; sources: string[]; dest: string } {
  const words = instruction.args.split(/\s+/);
  const from = words[0]?.startsWith("--from=") ? words.shift()!.slice("--from=".length) : undefined;
  const dest = words.pop();
  if (!dest || words.length === 0 || words.some((w) => w.startsWith("--"))) throw new Error(`line ${instruction.line}: unsupported COPY ${instruction.args}`);
  return { ...(from ? { from } : {}), sources: words, dest };
}

export interface BuiltImage {
  /** The folder standing for the final stage's `/`. */
  root: string;
  workdir: string;
  user?: string;
  env: Record<string, string>;
  /** The CMD in exec form, paths as written (inside the image). */
  cmd: string[];
  /** Every folder the build made (stage roots), to remove afterwards. */
  dirs: string[];
  /** Maps a path inside the image to this machine. */
  hostPath(imagePath: string): string;
}

/**
 * Builds `dockerfile` (a path relative to the repository root) with the repository root as the
 * context. `npm ci` is stood in for by the project's own node_modules (same lockfile); `npm run
 * <script>` runs for real in the stage's working directory.
 */
export function buildDockerfile(dockerfile: string): BuiltImage {
  const stages = parseDockerfile(readFileSync(join(ROOT, dockerfile), "utf8"));
  const built = new Map<string, string>();
  const dirs: string[] = [];
  let result: BuiltImage | undefined;
  stages.forEach((stage, index) => {
    const root = mkdtempSync(join(tmpdir(), `image-stage-${index}-`));
    dirs.push(root);
    const inRoot = (p: string) => join(root, p);
    let workdir = "/";
    let user: string | undefined;
    const env: Record<string, string> = {};
    let cmd: string[] = [];
    for (const instruction of stage.instructions) {
      switch (instruction.keyword) {
        case "WORKDIR":
          workdir = posix.resolve(workdir, instruction.args);
          mkdirSync(inRoot(workdir), { recursive: true });
          break;
        case "COPY": {
          const { from, sources, dest } = copyArgs(instruction);
          const sourceRoot = from === undefined ? ROOT : built.get(from);
          if (sourceRoot === undefined) throw new Error(`line ${instruction.line}: no stage named ${from}`);
          const target = inRoot(posix.resolve(workdir, dest));
          for (const source of sources) {
            const hostSource = join(sourceRoot, from === undefined ? source : posix.resolve("/", source));
            // Docker's rules: into a folder when dest ends with "/" (or several sources); a folder's contents otherwise.
            const into = dest.endsWith("/") && !source.endsWith("/") ? join(target, posix.basename(source)) : target;
            mkdirSync(dirname(into), { recursive: true });
            cpSync(hostSource, into, { recursive: true, dereference: true });
          }
          break;
        }
        case "RUN": {
          const command = instruction.args;
          const cwd = inRoot(workdir);
          if (/^npm ci(\s|$)/.test(command)) symlinkSync(join(ROOT, "node_modules"), join(cwd, "node_modules"), "dir");
          else if (/^npm run [\w:-]+$/.test(command)) execFileSync("npm", command.split(" ").slice(1), { cwd, stdio: "pipe" });
          else throw new Error(`line ${instruction.line}: this harness does not know how to RUN ${command}`);
          break;
        }
        case "ENV": {
          const [, key = "", value = ""] = /^(\w+)=(.*)$/.exec(instruction.args) ?? [];
          if (!key) throw new Error(`line ${instruction.line}: unsupported ENV ${instruction.args}`);
          env[key] = value;
          break;
        }
        case "USER":
          user = instruction.args;
          break;
        case "CMD":
          cmd = JSON.parse(instruction.args) as string[];
          break;
        default:
          throw new Error(`line ${instruction.line}: this harness does not know ${instruction.keyword}`);
      }
    }
    if (stage.name) built.set(stage.name, root);
    result = { root, workdir, ...(user ? { user } : {}), env, cmd, dirs, hostPath: (p) => join(root, posix.resolve(workdir, p)) };
  });
  if (!result) throw new Error(`${dockerfile} has no stage`);
  return result;
}
