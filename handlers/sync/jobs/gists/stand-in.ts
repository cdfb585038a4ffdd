// The gists job's world in local mode (`npm run sync -- gists --fake`, `npm start` without real
// settings): GitHub and Pipedrive stand-ins seeded with two gists per user. Loaded by path
// (job.ts's `standIn`), never imported by the job's code: it stays out of every upload.
import { startGitHubStandIn } from "../../../../local/standins/github";
import { startPipedriveStandIn } from "../../../../local/standins/pipedrive";
import type { SyncStandIn } from "../../job-definition";

/** The users seeded when the environment names none. */
export const FAKE_GIST_USERS = ["octocat", "hubot"];
const TOKEN = "fake-pipedrive-token";

export const standIn: SyncStandIn = {
  async start(given) {
    const users = given.users ? given.users.split(",").map((u) => u.trim()).filter(Boolean) : FAKE_GIST_USERS;
    const [github, pipedrive] = await Promise.all([startGitHubStandIn(), startPipedriveStandIn({ token: TOKEN })]);
    for (const user of users) {
      // Fixed ids: a second run recognises the gists it already turned into deals.
      github.addGist(user, { id: `${user}0001`, description: `${user}'s first gist`, created_at: "2026-11-01T10:00:00Z", updated_at: "2026-11-01T10:00:00Z" });
      github.addGist(user, { id: `${user}0002`, description: null, files: { "notes.md": { filename: "notes.md" } }, created_at: "2026-11-02T10:00:00Z", updated_at: "2026-11-02T10:00:00Z" });
    }
    return {
      settings: { users: users.join(","), githubApiUrl: github.url, pipedriveBaseUrl: pipedrive.url, pipedriveGistUrlField: "gist_url" },
      secrets: { pipedriveApiToken: TOKEN },
      stop: () => Promise.all([github.close(), pipedrive.close()]).then(() => undefined),
      report: () => ({
        githubRequests: github.requests.map((r) => `${r.method} ${r.path} → ${r.status}`),
        pipedriveDeals: pipedrive.deals().map((d) => ({ id: d.id, title: d.title, org_id: d.org_id, gist: d.custom_fields.gist_url })),
      }),
    };
  },
};
