// The HTTP API, as the page uses it: JSON in and out, RFC 9457 problem documents turned into
// errors that carry the server's `detail` (and per-field `errors`), network trouble into a sentence.

// The shape the handlers send (type-only: nothing of the server code ends up in the bundle).
import type { ProblemDocument } from "../../handlers/shared/problem";

export type Problem = ProblemDocument;

export class ApiError extends Error {
  /** 0 when the API could not be reached at all. */
  readonly status: number;
  readonly problem: Problem | undefined;
  constructor(message: string, status: number, problem?: Problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }

  /** The problem's type slug (`validation-failed`, `route-not-found`, …), if the API sent one. */
  get slug(): string | undefined {
    return this.problem?.type.replace(/^urn:switchyard:problem:/, "");
  }
}

const TIMEOUT_MS = 15_000;

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && typeof (value as Problem).detail === "string" && typeof (value as Problem).status === "number";
}

/** A non-2xx answer as an error: the problem's detail, or the gateway's message, or just the status. */
export function refusal(status: number, json: unknown): ApiError {
  if (isProblem(json)) return new ApiError(json.detail, status, json);
  const gateway = typeof json === "object" && json !== null && typeof (json as { message?: unknown }).message === "string" ? `: ${(json as { message: string }).message}` : "";
  return new ApiError(`The API answered ${status}${gateway}.`, status);
}

export class Api {
  constructor(readonly baseUrl: string) {}

  get<T>(path: string, init: RequestInit = {}): Promise<T> {
    return this.request<T>(path, { ...init, method: "GET" });
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }

  async request<T>(path: string, init: RequestInit): Promise<T> {
    const { response, json } = await this.exchange(path, init);
    if (response.ok) return json as T;
    throw refusal(response.status, json);
  }

  /** The response and its JSON body (undefined when empty or not JSON), whatever the status; throws only when no answer came. */
  async exchange(path: string, init: RequestInit): Promise<{ response: Response; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      throw new ApiError(timedOut ? `The API did not answer within ${TIMEOUT_MS / 1000} s.` : `The API at ${this.baseUrl} cannot be reached. Check your connection, or whether the API is running.`, 0);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { response, json };
  }
}
