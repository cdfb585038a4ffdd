// The skill-app job's world in local mode: Airtable, GitHub-release and Badgr stand-ins with a
// little data. Loaded by path (job.ts's `standIn`), never imported by the job's code.
import { startAirtableStandIn } from "../../../../local/standins/airtable";
import { startBadgrStandIn } from "../../../../local/standins/badgr";
import { startGitHubStandIn } from "../../../../local/standins/github";
import type { SyncStandIn } from "../../job-definition";

export const standIn: SyncStandIn = {
  async start() {
    const [airtable, github, badgr] = await Promise.all([startAirtableStandIn({ token: "fake-pat" }), startGitHubStandIn(), startBadgrStandIn({ username: "fake@example.com", password: "fake" })]);
    airtable.setRecords("appFAKEFAKEFAKEFA", "Assessments", [
      { id: "recAda0000000001", fields: { Name: "Ada", Score: 91 }, createdTime: "2026-11-01T10:00:00.000Z" },
      { id: "recGrace00000002", fields: { Name: "Grace", Score: 88 }, createdTime: "2026-11-02T10:00:00.000Z" },
    ]);
    github.setLatestRelease("acme", "skill-app", { tag_name: "v1.0.0", body: "a release archive" });
    const issuer = badgr.addIssuer("issuer-fake");
    // Fixed ids, times and URLs (not the stand-in's random port), so a second run sees the same data.
    const fixed = (kind: string, id: string) => ({ entityId: id, openBadgeId: `https://badgr.example/public/${kind}/${id}`, image: `https://badgr.example/public/${kind}/${id}/image`, createdAt: "2026-11-01T10:00:00.000Z" });
    const badge = badgr.addBadgeClass(issuer, { ...fixed("badges", "badge-ts"), issuerOpenBadgeId: "https://badgr.example/public/issuers/issuer-fake", name: "TypeScript" });
    badgr.addAssertion(badge.entityId, { ...fixed("assertions", "assertion-1"), issuedOn: "2026-11-02T10:00:00.000Z" });
    badgr.addAssertion(badge.entityId, { ...fixed("assertions", "assertion-2"), issuedOn: "2026-11-03T10:00:00.000Z", revoked: true, revocationReason: "issued by mistake" });
    return {
      settings: {
        airtableBaseUrl: airtable.url,
        airtableBaseId: "appFAKEFAKEFAKEFA",
        airtableTable: "Assessments",
        githubApiUrl: github.url,
        releaseRepo: "acme/skill-app",
        badgrBaseUrl: badgr.url,
        badgrUsername: "fake@example.com",
        badgrIssuer: issuer,
      },
      secrets: { airtableToken: "fake-pat", badgrPassword: "fake" },
      stop: () => Promise.all([airtable.close(), github.close(), badgr.close()]).then(() => undefined),
      report: () => ({ requests: [...airtable.requests, ...github.requests, ...badgr.requests].map((r) => `${r.method} ${r.path} → ${r.status}`) }),
    };
  },
};
