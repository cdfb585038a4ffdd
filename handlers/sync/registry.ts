// The shipped sync jobs, in the order they are deployed, run and shown. Adding a job: its folder
// under handlers/sync/jobs/ (job.ts, its functions, its stand-in) and one line here.
import type { SyncJobRegistry } from "./job-definition";
import { gistsJob } from "./jobs/gists/job";
import { skillsJob } from "./jobs/skills/job";

export const syncJobs: SyncJobRegistry = [gistsJob, skillsJob];
