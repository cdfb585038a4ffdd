// Every preflight rule, in the order `npm run preflight` reports them.
import type { PreflightRule } from "../finding";
import { alarmTopics } from "./alarm-topics";
import { containerImages } from "./container-images";
import { deployRole } from "./deploy-role";
import { fieldConstraints } from "./field-constraints";
import { iamPolicies } from "./iam-policies";
import { metricsExist } from "./metrics";
import { websocketIntegrations } from "./websocket-integrations";

export const rules: PreflightRule[] = [fieldConstraints, iamPolicies, deployRole, metricsExist, websocketIntegrations, containerImages, alarmTopics];
