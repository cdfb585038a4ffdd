// What one GraphQL request may ask for, checked after validation and before any resolver runs:
// the document's size, its depth, and its cost — the objects the answer may hold (a list counts its
// page size, or its known bound, times what each entry asks for) and the store reads it makes
// (each root field and each `invitations` is one). Fragments count where they are spread.
import { Kind, getNamedType, isCompositeType, isListType, getNullableType, type FieldNode, type GraphQLCompositeType, type GraphQLSchema, type OperationDefinitionNode, type FragmentDefinitionNode, type SelectionSetNode, isObjectType, isInterfaceType } from "graphql";
import { PAGE_DEFAULT_LIMIT } from "../shared/page-limits";
import { INVITES_PER_EVENT } from "../events/limits";
import { graphqlError } from "./errors";

/** Limits, one object so Pulumi serializes it as data. */
export const GRAPHQL_LIMITS = {
  /** The query text (POST `query`), in bytes. */
  maxQueryBytes: 8 * 1024,
  /** A POST body (query, variables, operation name), in bytes. */
  maxBodyBytes: 16 * 1024,
  /** Tokens the parser reads before giving up (a bound on parsing work, whatever the bytes). */
  maxTokens: 2000,
  /** Field nesting: `myEvent { invitations { items { history { at } } } }` is 5. */
  maxDepth: 8,
  /** Objects the answer may hold at most. */
  maxObjects: 30_000,
  /** Store reads (root fields and joins) per request. */
  maxReads: 10,
};

/** The page size a paged field gets without a `limit` argument. */
const DEFAULT_PAGE: Record<string, number> = { "OrganizerEvent.invitations": INVITES_PER_EVENT };
/** Lists inside a view, with the most entries they hold (handlers/events/event-store.ts keeps 50 answers). */
const LIST_BOUNDS: Record<string, number> = { "Invitation.history": 50, "Meeting.invitees": 20, "Query.syncStatus": 10 };
/** Fields that read the store (besides every root field). An array: Pulumi serializes a captured Set as a plain object. */
const READS = ["OrganizerEvent.invitations"];

export interface QueryCost {
  depth: number;
  objects: number;
  reads: number;
}

/** The cost of the operation (validated against `schema`), with the request's variables. */
export function queryCost(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown>): QueryCost {
  const limitOf = (field: FieldNode, fallback: number): number => {
    const arg = field.arguments?.find((a) => a.name.value === "limit");
    if (!arg) return fallback;
    const value = arg.value.kind === Kind.INT ? Number(arg.value.value) : arg.value.kind === Kind.VARIABLE ? variables[arg.value.name.value] : undefined;
    return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : fallback;
  };
  /** depth, objects and reads of a selection set on `type`, each entry counted `times`. */
  const walk = (set: SelectionSetNode, type: GraphQLCompositeType, depth: number, pageSize: number | undefined, seen: string[]): QueryCost => {
    const total: QueryCost = { depth, objects: 0, reads: 0 };
    const add = (c: QueryCost) => {
      total.depth = Math.max(total.depth, c.depth);
      total.objects += c.objects;
      total.reads += c.reads;
    };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        // Validation refuses cycles and unknown fragments; this is belt and braces.
        if (!fragment || seen.includes(fragment.name.value)) continue;
        const on = schema.getType(fragment.typeCondition.name.value);
        if (on && isCompositeType(on)) add(walk(fragment.selectionSet, on, depth, pageSize, [...seen, fragment.name.value]));
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (on && isCompositeType(on)) add(walk(selection.selectionSet, on, depth, pageSize, seen));
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith("__")) continue;
      const fieldDef = isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
      if (!fieldDef) continue;
      const key = `${type.name}.${name}`;
      const reads = type === schema.getQueryType() || READS.includes(key) ? 1 : 0;
      const named = getNamedType(fieldDef.type);
      if (!selection.selectionSet || !isCompositeType(named)) {
        add({ depth: depth + 1, objects: 0, reads });
        continue;
      }
      const paged = fieldDef.args.some((a) => a.name === "limit") ? limitOf(selection, DEFAULT_PAGE[key] ?? PAGE_DEFAULT_LIMIT) : undefined;
      const times = isListType(getNullableType(fieldDef.type)) ? (pageSize ?? LIST_BOUNDS[key] ?? PAGE_DEFAULT_LIMIT) : 1;
      const inner = walk(selection.selectionSet, named, depth + 1, paged, seen);
      add({ depth: inner.depth, objects: times * (1 + inner.objects), reads: reads + times * inner.reads });
    }
    return total;
  };
  const root = schema.getQueryType()!;
  return walk(operation.selectionSet, root, 0, undefined, []);
}

/** Throws QUERY_TOO_DEEP or QUERY_TOO_COSTLY when the cost is over a limit. */
export function checkCost(cost: QueryCost): void {
  if (cost.depth > GRAPHQL_LIMITS.maxDepth) throw graphqlError("QUERY_TOO_DEEP", `The query is ${cost.depth} fields deep; the limit is ${GRAPHQL_LIMITS.maxDepth}.`);
  if (cost.objects > GRAPHQL_LIMITS.maxObjects) throw graphqlError("QUERY_TOO_COSTLY", `The answer could hold ${cost.objects} objects (lists count their page size); the limit is ${GRAPHQL_LIMITS.maxObjects}.`);
  if (cost.reads > GRAPHQL_LIMITS.maxReads) throw graphqlError("QUERY_TOO_COSTLY", `The query makes ${cost.reads} store reads; the limit is ${GRAPHQL_LIMITS.maxReads}.`);
}
