/**
 * RFC 9457 problem details. Every error a client can cause has a stable `type` (a URN, since the
 * project has no domain to host pages on) so clients can branch on it without parsing `detail`.
 */
export const PROBLEM_TYPES = {
  "validation-failed": { status: 400, title: "The request is not valid" },
  "malformed-json": { status: 400, title: "The request body is not valid JSON" },
  "malformed-path": { status: 400, title: "The request path is not valid" },
  "invalid-cursor": { status: 400, title: "The cursor is not valid" },
  "unauthorized": { status: 401, title: "The request is not authenticated" },
  "forbidden": { status: 403, title: "Not allowed for this user" },
  "invalid-token": { status: 403, title: "The link is not valid" },
  "not-found": { status: 404, title: "Not found" },
  "route-not-found": { status: 404, title: "No such route" },
  "conflict": { status: 409, title: "The request conflicts with the current state" },
  "token-used": { status: 409, title: "The link has already been used" },
  "event-closed": { status: 409, title: "The event no longer takes answers" },
  "payment-not-started": { status: 424, title: "The payment could not be started" },
  "cursor-expired": { status: 410, title: "The cursor has expired" },
  "payload-too-large": { status: 413, title: "The request body is too large" },
  "unsupported-media-type": { status: 415, title: "The request body must be application/json" },
  "internal-error": { status: 500, title: "Internal error" },
  "service-unavailable": { status: 503, title: "A dependency is not answering" },
} as const;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export const problemTypeUri = (slug: ProblemSlug) => `urn:switchyard:problem:${slug}`;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** For validation problems: one entry per bad field. */
  errors?: { pointer: string; detail: string }[];
}

/** Thrown by handler code; turned into a problem+json response by `httpHandler`. */
export class HttpProblem extends Error {
  readonly slug: ProblemSlug;
  readonly errors: ProblemDocument["errors"];
  constructor(slug: ProblemSlug, detail: string, errors?: ProblemDocument["errors"]) {
    super(detail);
    // Pulumi serializes this class as a function calling `Error.call(this, detail)`, which sets no
    // message: set it here, or an uploaded handler's problems have an empty detail.
    this.message = detail;
    this.slug = slug;
    this.errors = errors;
  }

  toDocument(instance?: string): ProblemDocument {
    const { status, title } = PROBLEM_TYPES[this.slug];
    const doc: ProblemDocument = { type: problemTypeUri(this.slug), title, status, detail: this.message };
    if (instance) doc.instance = instance;
    if (this.errors?.length) doc.errors = this.errors;
    return doc;
  }
}
