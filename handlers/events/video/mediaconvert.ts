import { CreateJobCommand, MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import type { JobRunner } from "./jobs";

/**
 * MediaConvert's CreateJob through its regional endpoint (`mediaconvert.<region>.amazonaws.com`:
 * the account-specific endpoints of DescribeEndpoints are no longer needed). AWS_ENDPOINT_URL_MEDIACONVERT
 * points it elsewhere (the serialized-function tests' stand-in), as the SDK documents.
 */
export function mediaConvertRunner(client = new MediaConvertClient({})): JobRunner {
  return {
    async createJob(job) {
      const { Job } = await client.send(new CreateJobCommand(job));
      if (!Job?.Id) throw new Error("CreateJob answered without a job id");
      return { jobId: Job.Id };
    },
  };
}
