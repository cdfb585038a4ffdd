// Which Node local mode and `npm run sync` run on. Lambda runs Node 22 (nodejs22.x), the workflows
// use 22, and AWS SDK releases after the first week of January 2027 require it: 22 is the supported
// version. Node 20 still runs everything here (package.json's engines say >=20), so on 20 this
// prints one line instead of the SDK's multi-line warning on every start.

/** The major version from which nothing is said. */
export const SUPPORTED_NODE_MAJOR = 22;

/**
 * On a Node older than the supported one: silences the SDK's own warning and returns the one line
 * to print instead (the caller prints it where it belongs, after its own checks); undefined on 22+.
 */
export function nodeVersionNote(version = process.versions.node, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const major = Number(version.split(".")[0]);
  if (major >= SUPPORTED_NODE_MAJOR) return undefined;
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  return `Node ${version}: works for now, but Lambda runs Node ${SUPPORTED_NODE_MAJOR} and AWS SDK releases after January 2027 need it; use Node ${SUPPORTED_NODE_MAJOR}.`;
}
