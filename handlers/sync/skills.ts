import type { SkillsRunEnv } from "./jobs/skills/functions";
import { scheduledHandler } from "./scheduled";
import { runSkillsJob, skillsDeps } from "./skills-job";

/** The skill-app sync's handler, built once per cold start from its typed environment. */
export function skillsSyncHandler(service: string, env: SkillsRunEnv) {
  const deps = skillsDeps(service, env);
  return scheduledHandler(deps.obs, deps.state, (runId) => runSkillsJob(deps, runId));
}
