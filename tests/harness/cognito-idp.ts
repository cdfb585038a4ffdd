// A stand-in for the three Cognito user-pool admin calls the account-linking trigger makes
// (ListUsers, AdminCreateUser, AdminLinkProviderForUser; JSON 1.1 over HTTP, as the AWS SDK speaks
// them), holding a small pool in memory, with the rules of Cognito's that linking depends on: the
// filter is an exact `email = "…"`, the provider name is case-sensitive, only a native user can be
// a link target, an identity that already signed in (or is linked) cannot be linked, and
// AdminCreateUser runs the pre sign-up trigger (PreSignUp_AdminCreateUser) before it creates.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

export interface StandInUser {
  username: string;
  email: string;
  emailVerified: boolean;
  status: "CONFIRMED" | "UNCONFIRMED" | "FORCE_CHANGE_PASSWORD" | "EXTERNAL_PROVIDER";
  createdAt: number;
  /** Identities linked to this native user: `Google:1234`. */
  links: string[];
}

const PROVIDERS = ["Google", "SignInWithApple", "Facebook"];

export interface CognitoStandInOptions {
  /** Called as Cognito calls the trigger inside AdminCreateUser; a throw refuses the creation. */
  onAdminCreateUser?: (username: string, email: string) => Promise<void>;
  /** Called just before an AdminCreateUser is served (tests use it to create the same user first, as a concurrent sign-in would). */
  beforeCreate?: (email: string) => void;
}

export async function startCognitoIdp(options: CognitoStandInOptions = {}) {
  const users: StandInUser[] = [];
  const requests: { target: string; body: any }[] = [];
  let clock = 1_700_000_000_000;
  const add = (user: Omit<StandInUser, "createdAt" | "links" | "username"> & { username?: string }) => {
    const created: StandInUser = { username: user.username ?? randomUUID(), createdAt: (clock += 1000), links: [], ...user } as StandInUser;
    users.push(created);
    return created;
  };
  /** Which user an identity signs in as: the native user it is linked to, else its own federated user (made at its first sign-in). */
  const signInAs = (providerName: string, userId: string): StandInUser | undefined =>
    users.find((u) => u.links.includes(`${providerName}:${userId}`)) ?? users.find((u) => u.status === "EXTERNAL_PROVIDER" && u.username === `${providerName}_${userId}`);
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", async () => {
      const target = String(req.headers["x-amz-target"]).replace("AWSCognitoIdentityProviderService.", "");
      const body = JSON.parse(text || "{}");
      requests.push({ target, body });
      const json = (status: number, answer: unknown) => res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(answer));
      const fail = (type: string, message: string) => json(400, { __type: type, message });
      try {
        if (target === "ListUsers") {
          const match = /^email = "((?:[^"\\]|\\.)*)"$/.exec(body.Filter ?? "");
          if (!match) return fail("InvalidParameterException", `bad filter ${body.Filter}`);
          const email = match[1]!.replace(/\\(.)/g, "$1");
          const found = users.filter((u) => u.email === email);
          return json(200, {
            Users: found.map((u) => ({
              Username: u.username,
              UserStatus: u.status,
              UserCreateDate: u.createdAt / 1000,
              Enabled: true,
              Attributes: [
                { Name: "email", Value: u.email },
                { Name: "email_verified", Value: String(u.emailVerified) },
              ],
            })),
          });
        }
        if (target === "AdminCreateUser") {
          const email = body.UserAttributes?.find((a: { Name: string }) => a.Name === "email")?.Value as string;
          options.beforeCreate?.(email);
          if (users.some((u) => u.status !== "EXTERNAL_PROVIDER" && u.email.toLowerCase() === String(body.Username).toLowerCase())) return fail("UsernameExistsException", "An account with the given email already exists.");
          const username = randomUUID();
          await options.onAdminCreateUser?.(username, email);
          const verified = body.UserAttributes?.find((a: { Name: string }) => a.Name === "email_verified")?.Value === "true";
          const user = add({ username, email, emailVerified: verified, status: "FORCE_CHANGE_PASSWORD" });
          return json(200, { User: { Username: user.username, UserStatus: user.status, Enabled: true } });
        }
        if (target === "AdminLinkProviderForUser") {
          const { DestinationUser: d, SourceUser: s } = body;
          if (d?.ProviderName !== "Cognito") return fail("InvalidParameterException", "the destination must be a Cognito user");
          const destination = users.find((u) => u.username === d.ProviderAttributeValue && u.status !== "EXTERNAL_PROVIDER");
          if (!destination) return fail("UserNotFoundException", "User does not exist.");
          if (!PROVIDERS.includes(s?.ProviderName)) return fail("InvalidParameterException", `provider ${s?.ProviderName} does not exist for this pool`);
          if (s.ProviderAttributeName !== "Cognito_Subject") return fail("InvalidParameterException", "ProviderAttributeName must be Cognito_Subject");
          if (signInAs(s.ProviderName, s.ProviderAttributeValue)) return fail("InvalidParameterException", "Merging is not currently supported, provide a SourceUser that has not been used to sign in before");
          destination.links.push(`${s.ProviderName}:${s.ProviderAttributeValue}`);
          return json(200, {});
        }
        fail("UnknownOperationException", target);
      } catch (error) {
        fail("UserLambdaValidationException", `PreSignUp failed with error ${(error as Error).message}.`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    users,
    requests,
    add,
    signInAs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
