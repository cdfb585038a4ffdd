/**
 * WebhookIngest's HTTP routes for one source, as plain data: the component creates them, local
 * mode serves them, the OpenAPI document describes them. The replay route exists only when
 * forwarding is configured.
 */
export const webhookRoutes = (source: string) =>
  [
    { method: "POST", path: `/webhooks/${source}`, fn: "ingest", operationId: `receive_${source}_webhook`, summary: `A signed ${source} webhook delivery` },
    { method: "POST", path: `/webhooks/${source}/replay`, fn: "replay", operationId: `replay_${source}_spool`, summary: "Replay the spool now (Bearer token)" },
    { method: "GET", path: "/meetings", fn: "meetings", operationId: "listMeetings", summary: "Latest status per meeting, latest start first" },
    { method: "GET", path: "/meetings/{id}/events", fn: "history", operationId: "meetingEvents", summary: "A meeting's status and event history, newest first" },
  ] as const;

export type WebhookFunction = ReturnType<typeof webhookRoutes>[number]["fn"];
