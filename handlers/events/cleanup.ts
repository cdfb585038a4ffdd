import type { Context } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createObservability, type Observability } from "../shared/observability";
import { EventStore } from "./event-store";
import { DRAFT_MAX_IDLE_DAYS } from "./tables";

export interface CleanupDeps {
  store: EventStore;
  obs: Observability;
  now?: () => Date;
}

export function cleanupDeps(service: string, values: { eventsTable: string }): CleanupDeps {
  return { store: new EventStore(new DynamoDBClient({}), values.eventsTable), obs: createObservability(service) };
}

/**
 * The daily clean-up: deletes drafts untouched for 30 days (the stream then removes their
 * invitations and media). Ended events need no job: their items expire by TTL 90 days after the
 * end (tables.ts), with the same cascade. A draft edited while the clean-up runs is kept (the
 * delete is conditional on the edit time it saw).
 */
export function cleanupHandler(deps: CleanupDeps) {
  const { store, obs } = deps;
  const now = deps.now ?? (() => new Date());
  return async (_event?: unknown, context?: Partial<Context>) => {
    if (context?.awsRequestId) obs.logger.addContext(context as Context);
    const before = new Date(now().getTime() - DRAFT_MAX_IDLE_DAYS * 86_400_000);
    let deleted = 0;
    let kept = 0;
    for (let round = 0; round < 20; round++) {
      const stale = await store.staleDrafts(before);
      if (!stale.length) break;
      for (const draft of stale) {
        if (await store.deleteDraft(draft.id, draft.updatedAt)) deleted++;
        else kept++;
      }
      if (kept >= stale.length) break;
    }
    obs.logger.info("clean-up done", { deleted, kept, before: before.toISOString() });
    return { deleted, kept };
  };
}
