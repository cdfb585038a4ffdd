import { LOCAL_CREDENTIALS } from "./dynamodb-local";

/**
 * Points the AWS SDK in this process at local emulators, through the same environment variables
 * the SDK reads in Lambda, so handler code needs no local-mode branches.
 */
export function useLocalAws(endpoints: { dynamodb: string }): void {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
}
