import { scheduledHandler } from "./scheduled";
import { runSkillsJob, skillsDeps } from "./skills-job";

/** The skill-app sync's Lambda handler, built once per cold start (settings: see skillsDeps). */
export function skillsSyncHandler(service: string, env: NodeJS.ProcessEnv = process.env) {
  const deps = skillsDeps(service, env);
  return scheduledHandler(deps.obs, deps.state, (runId) => runSkillsJob(deps, runId));
}
