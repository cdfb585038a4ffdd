// An image built for another CPU than the machine that runs `pulumi up` needs emulation for every
// RUN in a stage of the target platform: on GitHub's x86 runners without QEMU set up, `RUN npm ci`
// in a linux/arm64 stage fails ("exec format error"). Stages pinned to $BUILDPLATFORM run natively,
// and a target stage that only copies needs no emulation at all.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseDockerfile, type Stage } from "../../tests/harness/dockerfile";
import { ROOT } from "../../tests/harness/stacks";
import { resourceLabel, type Finding, type PreflightRule } from "../finding";

const SOURCE = "https://docs.docker.com/build/building/multi-platform/ (cross-compilation: FROM --platform=$BUILDPLATFORM; emulation needs QEMU)";

interface Workflow {
  jobs: Record<string, { "runs-on"?: string | string[]; steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
}

/** The CPU of each job that runs `pulumi up`, and whether it sets up QEMU for other platforms. */
export function deployRunners(workflowText: string): { job: string; arch: "amd64" | "arm64"; emulation: boolean }[] {
  const workflow = parse(workflowText) as Workflow;
  return Object.entries(workflow.jobs)
    .filter(([, job]) => (job.steps ?? []).some((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up"))
    .map(([name, job]) => ({
      job: name,
      // GitHub-hosted labels: ubuntu-24.04-arm, ubuntu-22.04-arm are arm64; everything else here is x86-64.
      arch: [job["runs-on"]].flat().some((label) => /\barm(64)?\b/.test(String(label))) ? "arm64" : "amd64",
      emulation: (job.steps ?? []).some((s) => s.uses?.startsWith("docker/setup-qemu-action@")),
    }));
}

/** The stages the last stage needs (itself and every `COPY --from` it reaches). */
function neededStages(stages: Stage[]): Stage[] {
  const byName = new Map(stages.flatMap((s) => (s.name ? [[s.name, s] as const] : [])));
  const needed = new Set<Stage>();
  const visit = (stage: Stage) => {
    if (needed.has(stage)) return;
    needed.add(stage);
    for (const i of stage.instructions) {
      const from = i.keyword === "COPY" ? /--from=(\S+)/.exec(i.args)?.[1] : undefined;
      const source = from === undefined ? undefined : byName.get(from);
      if (source) visit(source);
    }
    const base = byName.get(stage.from);
    if (base) visit(base);
  };
  if (stages.length) visit(stages.at(-1)!);
  return stages.filter((s) => needed.has(s));
}

export function imageFindings(image: { label: string; platform: string; dockerfile: string }, runners: ReturnType<typeof deployRunners>, dockerfileText: string, variant: string, rule: string): Finding[] {
  const arch = image.platform.split("/")[1];
  const findings: Finding[] = [];
  for (const runner of runners) {
    if (runner.arch === arch || runner.emulation) continue;
    for (const stage of neededStages(parseDockerfile(dockerfileText))) {
      if (stage.platform === "$BUILDPLATFORM") continue;
      for (const run of stage.instructions.filter((i) => i.keyword === "RUN")) {
        findings.push({
          stack: variant,
          resource: image.label,
          input: `platform (${image.dockerfile}:${run.line})`,
          rule,
          message: `"RUN ${run.args}" runs in a ${image.platform} stage, but deploy.yml's job "${runner.job}" runs pulumi up on ${runner.arch} without QEMU: build that stage FROM --platform=$BUILDPLATFORM, or set up emulation (docker/setup-qemu-action)`,
          source: SOURCE,
        });
      }
    }
  }
  return findings;
}

export const containerImages: PreflightRule = {
  name: "image-builds-on-deploy-runner",
  description: "Every container image can be built on the CPU of the runner that deploys it.",
  check(record, variant) {
    const images = record.resources.filter((r) => r.type === "awsx:ecr:Image");
    if (images.length === 0) return [];
    const runners = deployRunners(readFileSync(join(ROOT, ".github", "workflows", "deploy.yml"), "utf8"));
    return images.flatMap((r) =>
      imageFindings({ label: resourceLabel(r), platform: r.inputs.platform ?? "linux/amd64", dockerfile: r.inputs.dockerfile }, runners, readFileSync(join(ROOT, r.inputs.context ?? ".", r.inputs.dockerfile), "utf8"), variant, this.name),
    );
  },
};
