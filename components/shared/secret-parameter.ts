import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SecretParameterArgs {
  /** The owning component's name (the parameter is `/switchyard/<stack>/<component>/<key>`). Example: `"calendly"`. */
  component: string;
  /** Example: `"signing-key"`. */
  key: string;
  /** From `pulumi config set --secret`. Example: `config.webhooks.calendlySigningKey`. */
  value: pulumi.Input<string>;
  /** The parameter's name when not `/switchyard/<stack>/<component>/<key>` (stacks made before this helper). Example: `"/switchyard/dev/gists/pipedrive_api_token"`. */
  parameterName?: string;
}

/**
 * A secret as an SSM SecureString, named `<component>-<key>`: functions get its name (`<KEY>_PARAMETER`)
 * and `ssm:GetParameter` on it, and read it at run time; the value is never in an environment.
 */
export function secretParameter(args: SecretParameterArgs, opts: { parent: pulumi.Resource }): aws.ssm.Parameter {
  return new aws.ssm.Parameter(
    `${args.component}-${args.key}`,
    { name: args.parameterName ?? `/switchyard/${pulumi.getStack()}/${args.component}/${args.key}`, type: "SecureString", value: pulumi.secret(args.value) },
    opts,
  );
}
