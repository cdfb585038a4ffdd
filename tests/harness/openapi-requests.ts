// Requests generated from an OpenAPI 3.1 document (fast-check): for one operation, valid requests
// (every parameter and body as its schema allows) and invalid ones (a wrong type, a value past a
// bound or breaking a pattern, a missing required field or parameter, an unknown field, missing or
// bad credentials). Covers the JSON Schema 2020-12 subset docs/openapi.json uses: $ref, type,
// properties, required, additionalProperties, enum, const, min/maxLength, pattern, format
// (date-time, uuid, email), minimum/maximum, items, min/maxItems, anyOf/oneOf.
import fc from "fast-check";
import { anyJson, anyText, edgyNumber } from "./arbitraries";

export type Schema = Record<string, any>;

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, Schema> };
}

/** A request ready for fetch, and what the document says about it. */
export interface GeneratedRequest {
  method: string;
  /** Path and query, percent-encoded. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Why the document says it is invalid; undefined when it is valid. */
  invalid?: string;
}

/** How a test signs a request for a security scheme, or spoils the credentials. */
export interface Credentials {
  /** Headers that satisfy the scheme for this body (a token, a signature over it), one of several. */
  valid: (body: string) => fc.Arbitrary<Record<string, string>>;
  /** Headers that do not: wrong, malformed or stale. */
  bad: (body: string) => fc.Arbitrary<Record<string, string>>;
}

/** Extra values mixed into generation where the schema cannot say them (existing ids, real bodies, a range only the description states). Keys: `path:id`, `query:limit`, `body`. */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

export const resolve = (doc: OpenApiDocument, schema: Schema): Schema =>
  typeof schema.$ref === "string" ? resolve(doc, doc.components.schemas[schema.$ref.replace("#/components/schemas/", "")]!) : schema;

const codePoints = (s: string) => [...s];
/** `s` made `min` to `max` code points long (padded with a letter, cut by code points). */
const fitLength = (s: string, min = 0, max = Infinity) => {
  const points = codePoints(s).slice(0, max);
  while (points.length < min) points.push("x");
  return points.join("");
};

/** Instants around now: mostly within the coming months (what a service plans for), some past, some years ahead. */
const dateTime = () =>
  fc
    .oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 200 * 24 * 60 }) }, { weight: 1, arbitrary: fc.integer({ min: -366 * 24 * 60, max: 0 }) }, { weight: 1, arbitrary: fc.integer({ min: 366 * 24 * 60, max: 3 * 366 * 24 * 60 }) })
    .map((minutes) => new Date(Date.now() + minutes * 60_000).toISOString());

function stringValue(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Infinity;
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern, "u");
  const fits = (s: string) => codePoints(s).length >= min && codePoints(s).length <= max && (!pattern || pattern.test(s));
  if (schema.format === "date-time") return dateTime().filter(fits);
  if (schema.format === "uuid") return fc.uuid().filter(fits);
  if (pattern) return fc.stringMatching(pattern).filter(fits);
  // Mostly printable text (what a person types, so valid requests reach the handler's success path), anyText's tricky strings too.
  const text = fc.oneof({ weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }) }, { weight: 1, arbitrary: anyText({ maxLength: Math.min(max, 40) }) }).map((s) => fitLength(s, min, max));
  return Number.isFinite(max) ? fc.oneof({ weight: 5, arbitrary: text }, { weight: 1, arbitrary: anyText().map((s) => fitLength(s.repeat(max), max, max)) }) : text;
}

/** Values valid against `schema`. */
export function validValue(doc: OpenApiDocument, schema: Schema): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  if ("const" in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...(alternatives as Schema[]).map((a) => validValue(doc, a)));
  if (Array.isArray(s.type)) return fc.oneof(...(s.type as string[]).map((type) => validValue(doc, { ...s, type })));
  switch (s.type) {
    case "string":
      return stringValue(s);
    case "integer":
      return fc.bigInt({ min: BigInt(s.minimum ?? Number.MIN_SAFE_INTEGER), max: BigInt(s.maximum ?? Number.MAX_SAFE_INTEGER) }).map(Number);
    case "number":
      return fc.double({ min: s.minimum ?? -1e308, max: s.maximum ?? 1e308, noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const minLength = s.minItems ?? 0;
      return fc.array(validValue(doc, s.items ?? {}), { minLength, maxLength: Math.min(s.maxItems ?? Infinity, minLength + 5) });
    }
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const known = fc.record(Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, validValue(doc, v)])), { requiredKeys: s.required ?? [] });
      if (s.additionalProperties === false) return known;
      const extra = fc.dictionary(anyText({ maxLength: 12 }).filter((k) => !(k in properties) && k !== "__proto__"), anyJson(), { maxKeys: 3 });
      return fc.tuple(known, extra).map(([k, e]) => ({ ...e, ...k }));
    }
    default:
      return anyJson();
  }
}

/** Values that break `schema` in one way each, with what the way is. Some may still be valid by chance: callers check with a validator. */
export function invalidValue(doc: OpenApiDocument, schema: Schema): fc.Arbitrary<{ value: unknown; why: string }> {
  const s = resolve(doc, schema);
  const why = (reason: string) => (value: unknown) => ({ value, why: reason });
  const ways: fc.Arbitrary<{ value: unknown; why: string }>[] = [anyJson().map(why("another value or type"))];
  if (s.enum || "const" in s) ways.push(anyText().map(why("not one of the allowed values")));
  if (s.type === "string") {
    ways.push(edgyNumber().map(why("a number instead of a string")));
    if (s.minLength > 0) ways.push(anyText().map((t) => fitLength(t, 0, s.minLength - 1)).map(why(`shorter than ${s.minLength}`)));
    if (s.maxLength !== undefined) ways.push(anyText().map((t) => fitLength(t.repeat(s.maxLength + 1), s.maxLength + 1, s.maxLength + 1)).map(why(`longer than ${s.maxLength}`)));
    if (s.pattern || s.format) ways.push(anyText().map(why(`not matching ${s.format ?? s.pattern}`)));
  }
  if (s.type === "integer" || s.type === "number") {
    ways.push(anyText({ maxLength: 8 }).map(why("a string instead of a number")), edgyNumber().map(why("an edge number")));
    if (s.minimum !== undefined) ways.push(fc.constantFrom(s.minimum - 1, s.minimum - 0.5, -1e308).map(why(`below ${s.minimum}`)));
    if (s.maximum !== undefined) ways.push(fc.constantFrom(s.maximum + 1, s.maximum + 0.5, 1e308).map(why(`above ${s.maximum}`)));
    if (s.type === "integer") ways.push(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)).map(why("not an integer")));
  }
  if (s.type === "array") {
    if (s.minItems > 0) ways.push(fc.constant([]).map(why(`fewer than ${s.minItems} items`)));
    if (s.maxItems !== undefined) ways.push(fc.array(validValue(doc, s.items ?? {}), { minLength: s.maxItems + 1, maxLength: s.maxItems + 2 }).map(why(`more than ${s.maxItems} items`)));
    if (s.items) ways.push(fc.tuple(fc.array(validValue(doc, s.items), { maxLength: 3 }), invalidValue(doc, s.items)).map(([ok, bad]) => ({ value: [...ok, bad.value], why: `an item: ${bad.why}` })));
  }
  if (s.type === "object") {
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    const valid = validValue(doc, s) as fc.Arbitrary<Record<string, unknown>>;
    for (const key of s.required ?? []) ways.push(valid.map((v) => ({ value: omit(v, key), why: `${key} missing` })));
    if (s.additionalProperties === false) ways.push(fc.tuple(valid, anyText({ maxLength: 12 }).filter((k) => !(k in properties) && k !== "__proto__"), anyJson()).map(([v, k, x]) => ({ value: { ...v, [k]: x }, why: `unknown field ${JSON.stringify(k)}` })));
    for (const [key, property] of Object.entries(properties)) ways.push(fc.tuple(valid, invalidValue(doc, property)).map(([v, bad]) => ({ value: { ...v, [key]: bad.value }, why: `${key}: ${bad.why}` })));
  }
  return fc.oneof(...ways);
}

const omit = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

/** Percent-encodes the UTF-8 bytes of `s` except unreserved characters (a lone surrogate goes as U+FFFD, as any UTF-8 encoder sends it). */
export const percentEncode = (s: string) => [...Buffer.from(s, "utf8")].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");

/** How a parameter's value is sent: OpenAPI's simple/form styles for the primitive values the document uses. */
const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value) ?? "");

interface Parts {
  params: Record<string, unknown>;
  extraQuery?: [string, string];
  body?: unknown;
  credentials: "valid" | "missing" | "bad" | "none";
  invalid?: string;
}

/**
 * Requests for one operation. `schemeCredentials` names how to satisfy each security scheme;
 * `isValid(schema, value)` is the validator that decides whether an "invalid" value really is.
 */
export function operationRequests(
  doc: OpenApiDocument,
  method: string,
  path: string,
  options: { credentials: Record<string, Credentials>; hints?: Hints; isValid: (schema: Schema, value: unknown) => boolean },
): fc.Arbitrary<GeneratedRequest> {
  const operation = doc.paths[path]![method]!;
  const parameters = operation.parameters ?? [];
  const hints = options.hints ?? {};
  const withHint = (key: string, arbitrary: fc.Arbitrary<unknown>) => (hints[key] ? fc.oneof({ weight: 3, arbitrary: hints[key]! }, { weight: 1, arbitrary }) : arbitrary);
  const bodySchema = operation.requestBody?.content["application/json"]?.schema;
  const scheme = operation.security?.[0] ? Object.keys(operation.security[0])[0] : undefined;
  if (scheme && !options.credentials[scheme]) throw new Error(`no credentials for the security scheme ${scheme}`);
  // A path parameter cannot be empty, "." or "..": the URL would name another route.
  const usablePath = (p: Parameter) => (v: unknown) => p.in !== "path" || !["", ".", ".."].includes(asText(v));

  // A "params" hint gives whole parameter sets, for rules across parameters (a cursor belongs to its search).
  const validParams = withHint(
    "params",
    fc.record(
      Object.fromEntries(parameters.map((p) => [p.name, withHint(`${p.in}:${p.name}`, validValue(doc, p.schema))])),
      { requiredKeys: parameters.filter((p) => p.required).map((p) => p.name) },
    ),
  ) as fc.Arbitrary<Record<string, unknown>>;
  const validBody = bodySchema ? withHint("body", validValue(doc, bodySchema)) : fc.constant(undefined);
  const valid: fc.Arbitrary<Parts> = fc.record({ params: validParams, body: validBody, credentials: fc.constant(scheme ? ("valid" as const) : ("none" as const)) });

  const invalidWays: fc.Arbitrary<Parts>[] = [];
  for (const p of parameters) {
    if (!constrainsText(doc, p.schema)) continue;
    const broken = invalidValue(doc, p.schema).filter(({ value }) => usablePath(p)(value) && !options.isValid(p.schema, asText(value)));
    invalidWays.push(fc.tuple(valid, broken).map(([v, bad]) => ({ ...v, params: { ...v.params, [p.name]: bad.value }, invalid: `${p.in} parameter ${p.name}: ${bad.why}` })));
  }
  for (const p of parameters) {
    if (p.required && p.in !== "path") invalidWays.push(valid.map((v) => ({ ...v, params: omit(v.params, p.name), invalid: `${p.in} parameter ${p.name} missing` })));
  }
  if (bodySchema) {
    const broken = invalidValue(doc, bodySchema).filter(({ value }) => !options.isValid(bodySchema, value));
    invalidWays.push(fc.tuple(valid, broken).map(([v, bad]) => ({ ...v, body: bad.value, invalid: `body: ${bad.why}` })));
    if (operation.requestBody?.required) invalidWays.push(valid.map((v) => ({ ...v, body: undefined, invalid: "body missing" })));
  }
  if (scheme) invalidWays.push(fc.tuple(valid, fc.constantFrom("missing" as const, "bad" as const)).map(([v, c]) => ({ ...v, credentials: c, invalid: `${scheme} credentials ${c}` })));
  // Not invalid by the document (it does not forbid other parameters), but worth sending.
  const extraQuery = fc.tuple(valid, fc.tuple(anyText({ maxLength: 10 }).filter((k) => k !== "" && !parameters.some((p) => p.name === k)), anyText({ maxLength: 10 }))).map(([v, q]) => ({ ...v, extraQuery: q }));

  // About half valid, the other half spread over the ways to be invalid.
  const parts = fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: extraQuery }, ...invalidWays.map((arbitrary) => ({ weight: Math.max(1, Math.round(5 / invalidWays.length)), arbitrary })));
  return parts.chain((p) => {
    const body = p.body === undefined ? undefined : JSON.stringify(p.body);
    const credentials = scheme ? options.credentials[scheme]! : undefined;
    const headers =
      p.credentials === "valid" ? credentials!.valid(body ?? "") : p.credentials === "bad" ? credentials!.bad(body ?? "") : fc.constant({} as Record<string, string>);
    return headers.map((auth) => toRequest(method, path, parameters, p, body, auth));
  });
}

/** Whether some text breaks `schema` (parameters travel as text: `{type: "string"}` takes any). */
function constrainsText(doc: OpenApiDocument, schema: Schema): boolean {
  const s = resolve(doc, schema);
  return s.type !== "string" || ["minLength", "maxLength", "pattern", "format", "enum", "const"].some((k) => k in s);
}

function toRequest(method: string, path: string, parameters: Parameter[], p: Parts, body: string | undefined, auth: Record<string, string>): GeneratedRequest {
  let url = path;
  const query: string[] = [];
  const cookies: string[] = [];
  const headers: Record<string, string> = { ...auth };
  for (const parameter of parameters) {
    if (!(parameter.name in p.params)) continue;
    const value = percentEncode(asText(p.params[parameter.name]));
    if (parameter.in === "path") url = url.replace(`{${parameter.name}}`, value);
    else if (parameter.in === "query") query.push(`${percentEncode(parameter.name)}=${value}`);
    else if (parameter.in === "cookie") cookies.push(`${parameter.name}=${value}`);
    else headers[parameter.name] = value;
  }
  if (p.extraQuery) query.push(`${percentEncode(p.extraQuery[0])}=${percentEncode(p.extraQuery[1])}`);
  if (cookies.length) headers.cookie = cookies.join("; ");
  if (body !== undefined) headers["content-type"] = "application/json";
  return { method: method.toUpperCase(), url: query.length ? `${url}?${query.join("&")}` : url, headers, ...(body === undefined ? {} : { body }), ...(p.invalid ? { invalid: p.invalid } : {}) };
}
