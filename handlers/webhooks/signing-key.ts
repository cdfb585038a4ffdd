import { getParameter } from "@aws-lambda-powertools/parameters/ssm";

/**
 * Where the webhook signing key comes from. In AWS: an SSM SecureString (written by the stack
 * from secret config), fetched with Powertools Parameters and cached for 5 minutes so a rotated
 * key is picked up without a deploy. In local mode: an environment variable.
 */
export type SigningKeyProvider = () => Promise<string>;

export function signingKeyFromEnv(env: NodeJS.ProcessEnv): SigningKeyProvider {
  if (env.SIGNING_KEY_PARAMETER) {
    const name = env.SIGNING_KEY_PARAMETER;
    return async () => {
      const value = await getParameter(name, { decrypt: true, maxAge: 300 });
      if (!value) throw new Error(`SSM parameter ${name} is empty`);
      return value;
    };
  }
  if (env.SIGNING_KEY) {
    const value = env.SIGNING_KEY;
    return async () => value;
  }
  throw new Error("Set SIGNING_KEY_PARAMETER (AWS) or SIGNING_KEY (local mode)");
}
