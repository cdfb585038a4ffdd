/**
 * Where a secret comes from. In AWS: an SSM SecureString the stack writes from `pulumi config
 * set --secret`, named by `<NAME>_PARAMETER`, fetched with Powertools Parameters and cached for
 * 5 minutes (a rotated value is picked up without a deploy; the value never sits in the function's
 * environment). In local mode: the environment variable `<NAME>` itself.
 */
export type SecretProvider = () => Promise<string>;

export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): SecretProvider {
  const parameter = env[`${name}_PARAMETER`];
  if (parameter) {
    return async () => {
      // Required here, not imported: only functions with a secret upload the SSM package.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { getParameter } = require("@aws-lambda-powertools/parameters/ssm") as typeof import("@aws-lambda-powertools/parameters/ssm");
      const value = await getParameter(parameter, { decrypt: true, maxAge: 300 });
      if (!value) throw new Error(`SSM parameter ${parameter} is empty`);
      return value;
    };
  }
  const value = env[name];
  if (value) return async () => value;
  throw new Error(`Set ${name}_PARAMETER (AWS) or ${name} (local mode)`);
}
