import { createHash, createHmac } from "node:crypto";

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");
/** RFC 3986 encoding as SigV4 wants it. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Checks a presigned (query-string) SigV4 request the way S3 does, written from AWS's documented
 * algorithm (not the SDK's signer): the canonical request uses the headers the URL says it signed,
 * with the values the client actually sends. So a PUT with another Content-Type or Content-Length
 * than the one presigned does not verify — S3 answers 403 SignatureDoesNotMatch.
 */
export function verifyPresigned(method: string, url: string, headers: Record<string, string>, secretAccessKey: string): boolean {
  const u = new URL(url);
  const q = u.searchParams;
  const signature = q.get("X-Amz-Signature");
  const [, date, region, service] = (q.get("X-Amz-Credential") ?? "").split("/");
  const amzDate = q.get("X-Amz-Date");
  if (!signature || !date || !region || !service || !amzDate) return false;
  const signedHeaders = (q.get("X-Amz-SignedHeaders") ?? "").split(";");
  const lower = Object.fromEntries(Object.entries({ host: u.host, ...headers }).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  if (signedHeaders.some((h) => lower[h] === undefined)) return false;
  const query = [...q.entries()]
    .filter(([k]) => k !== "X-Amz-Signature")
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a, x], [b, y]) => (a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const path = u.pathname.split("/").map((s) => encode(decodeURIComponent(s))).join("/");
  const canonical = [method, path, query, ...signedHeaders.map((h) => `${h}:${lower[h]}`), "", signedHeaders.join(";"), "UNSIGNED-PAYLOAD"].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
  return hmac(key, toSign).toString("hex") === signature;
}
